import { PortSet, type Proto } from '@fleetqry/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { BUILTIN_GROUPS, type ServiceGroupDefinition } from './builtin-groups.js';
import { GroupDefinitionError, PortParseError, UnknownGroupError } from './errors.js';
import { parsePortSpec } from './parse.js';

export interface ServiceGroup {
  name: string;
  title: string;
  description?: string;
  notes?: string;
  tcp: PortSet;
  udp: PortSet;
  builtin: boolean;
}

/** `Domains and Trusts`, `domains_and_trusts` and `domains-and-trusts` are the same group. */
function normalizeGroupName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

/** The loosest spelling of a name: letters and digits only (`DomainsAndTrusts`, `NetMeeting`, `net meeting`). */
function compactGroupName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const GROUP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

// YAML reads `tcp: 80` as a number; accept it and treat it as the text "80".
const portListField = z.union([z.string(), z.number()]).transform(String);

const userGroupSchema = z
  .strictObject({
    tcp: portListField.optional(),
    udp: portListField.optional(),
    description: z.string().optional(),
    /** Must be set to replace a built-in group of the same name; shadowing is never silent. */
    override: z.boolean().optional(),
  })
  .superRefine((group, ctx) => {
    if (group.tcp === undefined && group.udp === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a group needs tcp or udp ports' });
    }
    for (const proto of ['tcp', 'udp'] as const) {
      const text = group[proto];
      if (text === undefined) continue;
      try {
        parsePortSpec(text).forProto(proto);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: [proto],
          message: err instanceof PortParseError ? err.message : String(err),
        });
      }
    }
  });

const userGroupsFileSchema = z.strictObject({
  groups: z.record(
    z.string().regex(GROUP_NAME, 'group names are lowercase letters, digits and hyphens'),
    userGroupSchema,
  ),
});

export type UserGroupsFile = z.infer<typeof userGroupsFileSchema>;

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    // A bad record key nests its reason one level down; surface it.
    const detail =
      i.code === 'invalid_key'
        ? `invalid group name (${i.issues.map((n) => n.message).join(', ')})`
        : i.message;
    return `${i.path.map(String).join('.') || '(root)'}: ${detail}`;
  });
}

/** Parse and validate a user groups YAML document; errors name the field (`groups.web2.tcp`). */
export function parseUserGroupsYaml(text: string, source = 'service groups file'): UserGroupsFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new GroupDefinitionError(source, [`YAML: ${(err as Error).message}`]);
  }
  const result = userGroupsFileSchema.safeParse(doc);
  if (!result.success) throw new GroupDefinitionError(source, issuesOf(result.error));
  return result.data;
}

function aliasesOf(aliases: ReadonlyMap<string, string>, name: string): string[] {
  return [...aliases].filter(([, target]) => target === name).map(([alias]) => alias);
}

function fromBuiltin(def: ServiceGroupDefinition): ServiceGroup {
  return {
    name: def.name,
    title: def.title,
    description: def.description,
    ...(def.notes ? { notes: def.notes } : {}),
    tcp: def.tcp ? parsePortSpec(def.tcp).forProto('tcp') : PortSet.EMPTY,
    udp: def.udp ? parsePortSpec(def.udp).forProto('udp') : PortSet.EMPTY,
    builtin: true,
  };
}

/** Built-in groups plus validated user groups; lookups by name or alias. */
export class GroupCatalog {
  private constructor(
    private readonly groups: ReadonlyMap<string, ServiceGroup>,
    private readonly aliases: ReadonlyMap<string, string>,
  ) {}

  static builtin(): GroupCatalog {
    return GroupCatalog.create();
  }

  /**
   * Add user groups. A user group named like a built-in (or one of its aliases) is an error unless
   * it says `override: true`; `override: true` on a name that is not built in is an error too (a typo
   * would otherwise define a new group instead of replacing the intended one).
   */
  static create(user?: UserGroupsFile, source = 'service groups file'): GroupCatalog {
    const groups = new Map<string, ServiceGroup>();
    const aliases = new Map<string, string>();
    for (const def of BUILTIN_GROUPS) {
      groups.set(def.name, fromBuiltin(def));
      for (const a of def.aliases ?? []) aliases.set(a, def.name);
    }
    const problems: string[] = [];
    for (const [name, def] of Object.entries(user?.groups ?? {})) {
      const target = aliases.get(name) ?? name;
      const builtin = groups.get(target)?.builtin === true;
      if (builtin && !def.override) {
        problems.push(
          `groups.${name}: would shadow the built-in group "${target}"; set override: true to replace it`,
        );
        continue;
      }
      if (!builtin && def.override) {
        problems.push(`groups.${name}.override: there is no built-in group "${name}" to override`);
        continue;
      }
      groups.set(target, {
        name: target,
        title: name,
        ...(def.description ? { description: def.description } : {}),
        tcp: def.tcp !== undefined ? parsePortSpec(def.tcp).forProto('tcp') : PortSet.EMPTY,
        udp: def.udp !== undefined ? parsePortSpec(def.udp).forProto('udp') : PortSet.EMPTY,
        builtin: false,
      });
    }
    if (problems.length > 0) throw new GroupDefinitionError(source, problems);
    // PortQryUI's titles ("IP Security", "SQL Service") and every spelling without separators
    for (const g of groups.values())
      for (const spelling of [g.name, g.title, ...aliasesOf(aliases, g.name)]) {
        const loose = compactGroupName(spelling);
        if (!groups.has(loose) && !aliases.has(loose)) aliases.set(loose, g.name);
      }
    return new GroupCatalog(groups, aliases);
  }

  /** Parse, validate and add a user groups YAML document. */
  static fromYaml(text: string, source?: string): GroupCatalog {
    return GroupCatalog.create(parseUserGroupsYaml(text, source), source);
  }

  names(): string[] {
    return [...this.groups.keys()].sort();
  }

  private find(name: string): ServiceGroup | undefined {
    const key = normalizeGroupName(name);
    const loose = compactGroupName(name);
    return this.groups.get(this.aliases.get(key) ?? key) ?? this.groups.get(this.aliases.get(loose) ?? loose);
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  /** Throws UnknownGroupError naming the group and listing the known ones. */
  get(name: string): ServiceGroup {
    const group = this.find(name);
    if (!group) throw new UnknownGroupError(name, this.names());
    return group;
  }

  ports(name: string, proto: Proto): PortSet {
    return this.get(name)[proto];
  }
}
