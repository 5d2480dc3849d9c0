import { formatPortRanges, PortSet, type Proto } from '@fleetqry/contracts';

import { type AddressSelector, parseAddressSelector } from './address.js';
import { type PolicyIssue, PolicyError } from './errors.js';
import { parsePortList, parsePortSet } from './port-list.js';
import { compileSafePattern, type SafePattern } from './safe-pattern.js';
import type { Policy, PortsSpec, Rule, Selector } from './schema.js';

/** A service group's ports, as the caller knows them (the probe lib's `ServiceGroup` fits). */
interface ServiceGroupPorts {
  tcp: PortSet;
  udp: PortSet;
}

/**
 * Resolves service group names that the policy does not define itself, e.g.
 * `(name) => (catalog.has(name) ? catalog.get(name) : undefined)` over the probe lib's GroupCatalog.
 */
export type ServiceGroupLookup = (name: string) => ServiceGroupPorts | undefined;

export interface CompileOptions {
  serviceGroups?: ServiceGroupLookup;
}

/** The host a rule is asked about: the observation's address plus what the inventory says. */
export interface HostContext {
  address: string;
  host: string;
  tags: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  owner?: string;
}

interface CompiledPorts {
  matches(proto: Proto, port: number): boolean;
  /** The spec as written, for evidence (`tcp:512-514`, `udp:69`, `group:web`). */
  readonly text: string;
}

/** A rule's `expectedOwners`, resolved: who may own a port. */
interface CompiledOwners {
  /** The allowed owners of proto/port (the union of every matching entry), or undefined when no entry names it. */
  allowed(proto: Proto, port: number): { spec: string; owners: string[] } | undefined;
}

export interface CompiledRule {
  readonly rule: Rule;
  /** Position in `policy.rules` (ties between entries sharing a key go to the first). */
  readonly index: number;
  appliesTo(host: HostContext): boolean;
  readonly ports?: CompiledPorts;
  readonly pattern?: SafePattern;
  readonly owners?: CompiledOwners;
}

export interface CompiledPolicy {
  readonly kind: 'compiled-policy';
  readonly policy: Policy;
  readonly rules: readonly CompiledRule[];
}

function compileSelector(selector: Selector | undefined): (host: HostContext) => boolean {
  if (!selector) return () => true;
  const hosts: AddressSelector[] | undefined = selector.hosts?.map(parseAddressSelector);
  return (h) =>
    (selector.tags === undefined || selector.tags.some((t) => h.tags.has(t))) &&
    (selector.notTags === undefined || !selector.notTags.some((t) => h.tags.has(t))) &&
    (selector.groups === undefined || selector.groups.some((g) => h.groups.has(g))) &&
    (hosts === undefined || hosts.some((s) => s.contains(h.address)));
}

function compileOwners(expected: Record<string, string[]>): CompiledOwners {
  const entries = Object.entries(expected).map(([key, owners]) => {
    const slash = key.indexOf('/');
    return {
      key,
      proto: key.slice(0, slash) as Proto,
      ports: parsePortSet(key.slice(slash + 1)),
      owners,
    };
  });
  return {
    allowed(proto, port) {
      const hits = entries.filter((e) => e.proto === proto && e.ports.has(port));
      if (hits.length === 0) return undefined;
      return {
        spec: hits.map((h) => h.key).join(' '),
        owners: [...new Set(hits.flatMap((h) => h.owners))].sort(),
      };
    },
  };
}

function compilePorts(
  spec: PortsSpec,
  policy: Policy,
  options: CompileOptions,
  path: string,
  issues: PolicyIssue[],
): CompiledPorts {
  const tcp: PortSet[] = [];
  const udp: PortSet[] = [];
  const text: string[] = [];
  if (spec.tcp !== undefined) {
    const ranges = parsePortList(String(spec.tcp));
    tcp.push(PortSet.fromRanges(ranges));
    text.push(`tcp:${formatPortRanges(ranges)}`);
  }
  if (spec.udp !== undefined) {
    const ranges = parsePortList(String(spec.udp));
    udp.push(PortSet.fromRanges(ranges));
    text.push(`udp:${formatPortRanges(ranges)}`);
  }
  spec.groups?.forEach((name, j) => {
    const local = policy.serviceGroups?.[name];
    if (local) {
      if (local.tcp !== undefined) tcp.push(parsePortSet(String(local.tcp)));
      if (local.udp !== undefined) udp.push(parsePortSet(String(local.udp)));
    } else {
      const group = options.serviceGroups?.(name);
      if (!group) {
        issues.push({ path: `${path}.groups[${j}]`, message: `unknown service group "${name}"` });
        return;
      }
      tcp.push(group.tcp);
      udp.push(group.udp);
    }
    text.push(`group:${name}`);
  });
  return {
    text: text.join(' '),
    matches: (proto, port) => (proto === 'tcp' ? tcp : udp).some((set) => set.has(port)),
  };
}

/**
 * Resolves a validated policy for evaluation: service groups, address selectors and patterns.
 * Throws a {@link PolicyError} naming the field (e.g. an unknown service group).
 */
export function compilePolicy(policy: Policy, options: CompileOptions = {}): CompiledPolicy {
  const issues: PolicyIssue[] = [];
  const rules: CompiledRule[] = [];
  policy.rules.forEach((rule, index) => {
    if (!rule.enabled) return;
    const path = `rules[${index}]`;
    let ports: CompiledPorts | undefined;
    let pattern: SafePattern | undefined;
    if ('ports' in rule && rule.ports !== undefined) {
      ports = compilePorts(rule.ports, policy, options, `${path}.ports`, issues);
    }
    if (rule.type === 'banner-match') {
      const source = rule.mustMatch ?? rule.mustNotMatch ?? '';
      try {
        pattern = compileSafePattern(source, { ignoreCase: rule.ignoreCase });
      } catch (err) {
        const field = rule.mustMatch !== undefined ? 'mustMatch' : 'mustNotMatch';
        issues.push({ path: `${path}.${field}`, message: (err as Error).message });
      }
    }
    if (rule.type === 'rpc-interface-exposed' && rule.annotationPattern !== undefined) {
      try {
        pattern = compileSafePattern(rule.annotationPattern, { ignoreCase: rule.ignoreCase });
      } catch (err) {
        issues.push({ path: `${path}.annotationPattern`, message: (err as Error).message });
      }
    }
    const owners = rule.type === 'unexpected-owner' ? compileOwners(rule.expectedOwners) : undefined;
    rules.push({
      rule,
      index,
      ...(owners ? { owners } : {}),
      appliesTo: compileSelector(rule.appliesTo),
      ...(ports ? { ports } : {}),
      ...(pattern ? { pattern } : {}),
    });
  });
  if (issues.length > 0) throw new PolicyError(`policy "${policy.metadata.name}"`, issues);
  return { kind: 'compiled-policy', policy, rules };
}
