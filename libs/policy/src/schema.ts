import {
  PortStateSchema,
  SeveritySchema,
  SnmpV3AuthProtocolSchema,
  SnmpV3LevelSchema,
  SnmpV3PrivProtocolSchema,
  TagSchema,
} from '@fleetqry/contracts';
import { z } from 'zod';

import { parseAddressSelector } from './address.js';
import { parsePortList } from './port-list.js';
import { compileSafePattern } from './safe-pattern.js';

/**
 * Policy documents (`apiVersion: fleetqry/v1`, `kind: Policy`). The zod schemas here are the single
 * source of truth: the YAML loader validates with them and `policy.schema.json` (for editors and the
 * API's OpenAPI document) is generated from them by {@link policyJsonSchema}.
 */

const POLICY_API_VERSION = 'fleetqry/v1';
const POLICY_KIND = 'Policy';

const SLUG = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** Stable rule id used in reports, waivers and the API, e.g. `snmp.community.public`. */
export const RuleIdSchema = z
  .string()
  .regex(
    SLUG,
    'rule ids are lowercase letters, digits, ".", "_" and "-" (max 128), e.g. snmp.community.public',
  );

/** A port list: a YAML number or a string of numbers and ranges, e.g. `"23,512-514"`. */
const PortListSchema = z
  .union([z.string(), z.number().int().min(1).max(65535)])
  .superRefine((value, ctx) => {
    try {
      parsePortList(String(value));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  })
  .describe('Port numbers and ranges, e.g. 23 or "23,512-514" (no service names)');

const ServiceGroupNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'service group names are lowercase letters, digits and hyphens');

/** Ports a rule looks at: explicit TCP/UDP lists and/or service groups (policy-local or the caller's). */
const PortsSpecSchema = z
  .strictObject({
    tcp: PortListSchema.optional(),
    udp: PortListSchema.optional(),
    groups: z
      .array(ServiceGroupNameSchema)
      .min(1)
      .optional()
      .describe(
        "Service groups: the policy's serviceGroups, else the caller's catalog (built-ins, user groups)",
      ),
  })
  .refine((p) => p.tcp !== undefined || p.udp !== undefined || p.groups !== undefined, {
    message: 'name tcp ports, udp ports or service groups',
  });
export type PortsSpec = z.infer<typeof PortsSpecSchema>;

const AddressSelectorTextSchema = z.string().superRefine((value, ctx) => {
  try {
    parseAddressSelector(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/**
 * Which hosts a rule applies to. Every field given must hold (AND); within a list any entry may
 * match (OR), except `notTags` where none may. An absent selector applies to every host.
 */
const SelectorSchema = z.strictObject({
  /** The host carries at least one of these tags. */
  tags: z.array(TagSchema).min(1).optional().describe('The host carries at least one of these tags'),
  /** The host carries none of these tags. */
  notTags: z.array(TagSchema).min(1).optional().describe('The host carries none of these tags'),
  /** The host's address is one of these addresses or inside one of these CIDRs. */
  hosts: z
    .array(AddressSelectorTextSchema)
    .min(1)
    .optional()
    .describe('The host address is one of these addresses or inside one of these CIDRs'),
  /** The host belongs to at least one of these host groups (given by the caller, e.g. inventory names). */
  groups: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('The host belongs to one of these host groups'),
});
export type Selector = z.infer<typeof SelectorSchema>;

const ruleBase = {
  id: RuleIdSchema,
  /**
   * Distinguishes several configured checks that report under one rule id (e.g. several
   * `port.forbidden` entries); shown in evidence, part of the finding key for banner checks.
   */
  check: z
    .string()
    .regex(SLUG, 'check names are lowercase letters, digits, ".", "_" and "-"')
    .optional()
    .describe('Names one of several entries sharing a rule id; shown in evidence'),
  severity: SeveritySchema,
  title: z.string().min(1),
  description: z.string().optional(),
  references: z.array(z.string().min(1)).optional(),
  enabled: z.boolean().default(true),
  appliesTo: SelectorSchema.optional().describe('Which hosts the rule applies to (default: all)'),
};

const SnmpCommunityRuleSchema = z
  .strictObject({
    ...ruleBase,
    type: z
      .literal('snmp-community')
      .describe('The SNMP agent accepted one of these communities (or the empty one)'),
    /** Community names that must not be accepted (exact, case-sensitive). */
    communities: z
      .array(z.string().min(1, 'use `empty: true` for the empty community').max(255))
      .min(1)
      .optional(),
    /** Also flag an agent that accepts the empty community. */
    empty: z.boolean().optional(),
  })
  .refine((r) => (r.communities?.length ?? 0) > 0 || r.empty === true, {
    message: 'name communities or set empty: true',
    path: ['communities'],
  });

const SnmpVersionRuleSchema = z.strictObject({
  ...ruleBase,
  type: z.literal('snmp-version-requires-v3').describe('The SNMP agent answered v1/v2c at all'),
  /** Versions that must not answer at all (fleetqry probes v1 and v2c). */
  versions: z
    .array(z.enum(['v1', 'v2c']))
    .min(1)
    .default(['v1', 'v2c']),
});

const SnmpV3SecurityRuleSchema = z
  .strictObject({
    ...ruleBase,
    type: z
      .literal('snmp-v3-security')
      .describe(
        'The SNMP agent accepted a configured SNMPv3 user at a listed level, or with a listed authentication or privacy protocol',
      ),
    /** Levels that must not be accepted: noAuthNoPriv (also: the user name alone got values), authNoPriv. */
    levels: z
      .array(SnmpV3LevelSchema.exclude(['authPriv']))
      .min(1)
      .optional(),
    /** Authentication protocols that must not be accepted (CIS: SHA-2 only), e.g. [md5, sha]. */
    authProtocols: z.array(SnmpV3AuthProtocolSchema).min(1).optional(),
    /** Privacy protocols that must not be accepted (CIS: AES only), e.g. [des]. */
    privProtocols: z.array(SnmpV3PrivProtocolSchema).min(1).optional(),
  })
  .refine((r) => r.levels || r.authProtocols || r.privProtocols, {
    message: 'name levels, authProtocols or privProtocols',
    path: ['levels'],
  });

const PortForbiddenRuleSchema = z.strictObject({
  ...ruleBase,
  type: z.literal('port-forbidden').describe('A port in the list was found in one of the given states'),
  ports: PortsSpecSchema,
  /** States that count as "open"; `LISTENING or FILTERED` is not proof and is off by default. */
  states: z.array(PortStateSchema).min(1).default(['LISTENING']),
});

const PortRequiredRuleSchema = z.strictObject({
  ...ruleBase,
  type: z.literal('port-required').describe('A probed port in the list was not in an accepted state'),
  ports: PortsSpecSchema,
  /** States that satisfy the requirement. */
  acceptStates: z.array(PortStateSchema).min(1).default(['LISTENING']),
});

const PatternSchema = z.string().min(1);

const BannerMatchRuleSchema = z
  .strictObject({
    ...ruleBase,
    type: z
      .literal('banner-match')
      .describe('A banner or HTTP Server value fails mustMatch or matches mustNotMatch'),
    /** `http-server`: the HTTP `Server:` value; `banner`: the first line(s) a banner protocol sent; `any`: the former, else the latter. */
    source: z.enum(['any', 'banner', 'http-server']).default('any'),
    /** Only these ports (default: every port that has the source). */
    ports: PortsSpecSchema.optional(),
    /** The value must match this pattern (linear-time JavaScript-syntax subset). */
    mustMatch: PatternSchema.optional(),
    /** The value must not match this pattern. */
    mustNotMatch: PatternSchema.optional(),
    ignoreCase: z.boolean().default(false),
  })
  .superRefine((r, ctx) => {
    if ((r.mustMatch === undefined) === (r.mustNotMatch === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'set exactly one of mustMatch and mustNotMatch',
        path: ['mustMatch'],
      });
    }
    for (const field of ['mustMatch', 'mustNotMatch'] as const) {
      const source = r[field];
      if (source === undefined) continue;
      try {
        compileSafePattern(source, { ignoreCase: r.ignoreCase });
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message, path: [field] });
      }
    }
  });

const FtpAnonymousRuleSchema = z.strictObject({
  ...ruleBase,
  type: z.literal('ftp-anonymous').describe('The FTP server accepted USER anonymous'),
});

const LdapAnonymousRootDseRuleSchema = z.strictObject({
  ...ruleBase,
  type: z
    .literal('ldap-anonymous-rootdse')
    .describe('The LDAP server returned its rootDSE to an anonymous search'),
});

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const RpcInterfaceExposedRuleSchema = z
  .strictObject({
    ...ruleBase,
    type: z
      .literal('rpc-interface-exposed')
      .describe(
        'The RPC endpoint mapper lists an endpoint of a listed interface (or one whose annotation matches)',
      ),
    /** Interface UUIDs (tower floor 1), any case; compared lower-cased. */
    uuids: z
      .array(
        z
          .string()
          .regex(UUID, 'an interface UUID like 12345778-1234-abcd-ef00-0123456789ac')
          .transform((u) => u.toLowerCase()),
      )
      .min(1)
      .optional(),
    /** The endpoint's annotation must match (linear-time JavaScript-syntax subset); with `uuids`, both must hold. */
    annotationPattern: PatternSchema.optional(),
    ignoreCase: z.boolean().default(false),
    /** Only endpoints on these protocol sequences count (default: all, e.g. ncacn_ip_tcp, ncacn_np, ncalrpc). */
    protocols: z.array(z.string().min(1)).min(1).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.uuids === undefined && r.annotationPattern === undefined) {
      ctx.addIssue({ code: 'custom', message: 'set uuids, annotationPattern or both', path: ['uuids'] });
    }
    if (r.annotationPattern !== undefined) {
      try {
        compileSafePattern(r.annotationPattern, { ignoreCase: r.ignoreCase });
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message, path: ['annotationPattern'] });
      }
    }
  });

const HOST_VIEW_STATES_DEFAULT = ['FILTERED', 'LISTENING or FILTERED'] as const;

/**
 * Host view rules compare the network view (a run's observation of a port) with the host view (the
 * listener table `fleetqry agent` pushed for the host owning that address). Without a host view for the
 * address, they never fire.
 */
const ListeningAllInterfacesButFilteredRuleSchema = z.strictObject({
  ...ruleBase,
  type: z
    .literal('listening-all-interfaces-but-filtered')
    .describe(
      'The host listens on every interface (0.0.0.0 / ::) on the port, but the network saw it filtered: a firewall hides a service that binds more widely than it needs',
    ),
  /** Only these ports (default: every port). */
  ports: PortsSpecSchema.optional(),
  /** Network states that count as "filtered from the network". */
  states: z
    .array(PortStateSchema)
    .min(1)
    .default([...HOST_VIEW_STATES_DEFAULT]),
});

/** `tcp/22`, `udp/53`, `tcp/8000-8100`: a protocol and a port list. */
const OWNER_KEY = /^(tcp|udp)\/(.+)$/;

const ExpectedOwnersSchema = z
  .record(
    z.string().superRefine((key, ctx) => {
      const m = OWNER_KEY.exec(key);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: 'keys are "tcp/PORTS" or "udp/PORTS", e.g. "tcp/22"' });
        return;
      }
      try {
        parsePortList(m[2]!);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
    z.array(z.string().min(1).max(256)).min(1),
  )
  .refine((r) => Object.keys(r).length > 0, { message: 'name at least one "tcp/PORT": [owners] entry' })
  .describe(
    'Allowed owners per "tcp/PORTS" or "udp/PORTS": process names (/proc/PID/comm, exact) or systemd units (exact, e.g. ssh.service)',
  );

const UnexpectedOwnerRuleSchema = z.strictObject({
  ...ruleBase,
  type: z
    .literal('unexpected-owner')
    .describe(
      'A port reachable from the network is owned (per the host view) by a process not allowed for it',
    ),
  expectedOwners: ExpectedOwnersSchema,
  /** Network states that count as "reachable". */
  states: z.array(PortStateSchema).min(1).default(['LISTENING']),
});

export const RULE_TYPES = [
  'snmp-community',
  'snmp-version-requires-v3',
  'snmp-v3-security',
  'port-forbidden',
  'port-required',
  'banner-match',
  'ftp-anonymous',
  'ldap-anonymous-rootdse',
  'rpc-interface-exposed',
  'listening-all-interfaces-but-filtered',
  'unexpected-owner',
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export const RuleSchema = z.discriminatedUnion('type', [
  SnmpCommunityRuleSchema,
  SnmpVersionRuleSchema,
  SnmpV3SecurityRuleSchema,
  PortForbiddenRuleSchema,
  PortRequiredRuleSchema,
  BannerMatchRuleSchema,
  FtpAnonymousRuleSchema,
  LdapAnonymousRootDseRuleSchema,
  RpcInterfaceExposedRuleSchema,
  ListeningAllInterfacesButFilteredRuleSchema,
  UnexpectedOwnerRuleSchema,
]);
export type Rule = z.infer<typeof RuleSchema>;

const ServiceGroupSchema = z
  .strictObject({
    description: z.string().optional(),
    tcp: PortListSchema.optional(),
    udp: PortListSchema.optional(),
  })
  .refine((g) => g.tcp !== undefined || g.udp !== undefined, { message: 'a group needs tcp or udp ports' });

export const PolicySchema = z
  .strictObject({
    apiVersion: z.literal(POLICY_API_VERSION, {
      error: `unsupported apiVersion; this fleetqry reads "${POLICY_API_VERSION}"`,
    }),
    kind: z.literal(POLICY_KIND, { error: `kind must be "${POLICY_KIND}"` }),
    metadata: z.strictObject({
      name: z.string().regex(SLUG, 'policy names are lowercase letters, digits, ".", "_" and "-"'),
      version: z.union([z.string().min(1), z.number()]).transform(String),
      description: z.string().optional(),
    }),
    /** Policy-local service groups; they shadow the caller's groups of the same name. */
    serviceGroups: z.record(ServiceGroupNameSchema, ServiceGroupSchema).optional(),
    rules: z.array(RuleSchema),
  })
  .superRefine((policy, ctx) => {
    const typeOfId = new Map<string, string>();
    const seen = new Set<string>();
    policy.rules.forEach((rule, i) => {
      const known = typeOfId.get(rule.id);
      if (known !== undefined && known !== rule.type) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'type'],
          message: `rule id "${rule.id}" is already used by a "${known}" rule; entries sharing an id must share a type`,
        });
      }
      typeOfId.set(rule.id, rule.type);
      const identity = `${rule.id}\u0000${rule.check ?? ''}`;
      if (seen.has(identity)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, rule.check === undefined ? 'id' : 'check'],
          message: `duplicate rule "${rule.id}"${rule.check ? ` check "${rule.check}"` : ''}; give each entry sharing an id its own "check" name`,
        });
      }
      seen.add(identity);
    });
  });
export type Policy = z.infer<typeof PolicySchema>;

/** JSON Schema (draft 2020-12) of a policy document as written (defaults optional). */
export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(PolicySchema, { io: 'input', target: 'draft-2020-12' }),
    title: 'fleetqry policy (fleetqry/v1)',
  };
}
