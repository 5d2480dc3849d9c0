import { type Finding, type Observation, type Proto, severityRank } from '@fleetqry/contracts';

import {
  type AddressSelector,
  canonicalAddress,
  compareAddresses,
  parseAddress,
  parseAddressSelector,
} from './address.js';
import { type CompiledPolicy, compilePolicy, type HostContext, type ServiceGroupLookup } from './compile.js';
import { HostViewIndex, type HostViewLookup } from './host-view.js';
import { EVALUATORS } from './rules.js';
import type { Policy } from './schema.js';

/**
 * What the inventory says about a host. `InventoryHost` from the contracts fits; `address` may be an
 * address, a CIDR (tags a whole block) or a hostname (matched against the observation's `host`).
 */
export interface PolicyHost {
  address: string;
  name?: string;
  tags?: readonly string[];
  owner?: string;
  /** Host groups for `appliesTo.groups` (e.g. the inventory or sub-inventory names). */
  groups?: readonly string[];
}

export interface EvaluateInput {
  observations: readonly Observation[];
  hosts?: readonly PolicyHost[];
  policy: Policy | CompiledPolicy;
  /** The evaluation time: firstSeen/lastSeen of the findings. */
  now: Date | string;
  /** Service groups the policy does not define itself (only used when `policy` is not compiled). */
  serviceGroups?: ServiceGroupLookup;
  /**
   * Host views (the listener tables `fleetqry agent` pushed), keyed by the addresses the run scanned. Only
   * the host view rules (`listening-all-interfaces-but-filtered`, `unexpected-owner`) read them; without a
   * view for an address they do not fire there.
   */
  hostViews?: HostViewLookup;
}

/** `rule|address|proto/port[|subject]`: identity of a finding across runs. */
export function findingKey(
  rule: string,
  address: string,
  proto: Proto,
  port: number,
  subject: string,
): string {
  return `${rule}|${address}|${proto}/${port}${subject === '' ? '' : `|${subject}`}`;
}

/** Report order: severity, rule, address (numeric), proto, port, key. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    cmp(a.rule, b.rule) ||
    compareAddresses(a.address, b.address) ||
    cmp(a.proto ?? '', b.proto ?? '') ||
    (a.port ?? 0) - (b.port ?? 0) ||
    cmp(a.key, b.key)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function toIso(now: Date | string): string {
  const d = typeof now === 'string' ? new Date(now) : now;
  if (Number.isNaN(d.getTime())) throw new RangeError(`invalid time: ${String(now)}`);
  return d.toISOString();
}

interface HostEntry {
  host: PolicyHost;
  /** Higher is more specific: an exact address or name beats any CIDR, a longer prefix a shorter one. */
  specificity: number;
  selector?: AddressSelector;
}

/** Joins observations to inventory entries: exact address, hostname, or a CIDR that contains it. */
class HostIndex {
  private readonly exact = new Map<string, HostEntry[]>();
  private readonly byName = new Map<string, HostEntry[]>();
  private readonly blocks: HostEntry[] = [];
  private readonly cache = new Map<string, HostContext>();

  constructor(hosts: readonly PolicyHost[]) {
    for (const host of hosts) {
      const address = host.address.trim();
      if (parseAddress(address)) {
        push(this.exact, canonicalAddress(address), { host, specificity: 1000 });
      } else if (address.includes('/')) {
        try {
          const selector = parseAddressSelector(address);
          this.blocks.push({ host, specificity: selector.prefix, selector });
        } catch {
          // Not a CIDR this lib understands (ranges are expanded by the planner): nothing to join on.
        }
      } else {
        push(this.byName, address.toLowerCase(), { host, specificity: 1000 });
      }
      if (host.name !== undefined) push(this.byName, host.name.toLowerCase(), { host, specificity: 1000 });
    }
  }

  context(obs: Observation): HostContext {
    const address = canonicalAddress(obs.address);
    const cacheKey = `${address}\u0000${obs.host}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const entries = [
      ...(this.exact.get(address) ?? []),
      ...(this.byName.get(obs.host.toLowerCase()) ?? []),
      ...this.blocks.filter((b) => b.selector!.contains(address)),
    ];
    const tags = new Set(entries.flatMap((e) => e.host.tags ?? []));
    const groups = new Set(entries.flatMap((e) => e.host.groups ?? []));
    const owner = entries
      .filter((e) => e.host.owner !== undefined)
      .sort((a, b) => b.specificity - a.specificity)[0]?.host.owner;
    const ctx: HostContext = {
      address,
      host: obs.host,
      tags,
      groups,
      ...(owner !== undefined ? { owner } : {}),
    };
    this.cache.set(cacheKey, ctx);
    return ctx;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Applies a policy to one run's observations. Pure and deterministic: the same input gives the same
 * findings in the same order, each with status `new` (see `applyLifecycle` for run-to-run status and
 * waivers). Observations of hosts missing from `hosts` are evaluated with no tags.
 */
export function evaluate(input: EvaluateInput): Finding[] {
  const compiled =
    'kind' in input.policy && input.policy.kind === 'compiled-policy'
      ? input.policy
      : compilePolicy(input.policy, input.serviceGroups ? { serviceGroups: input.serviceGroups } : {});
  const now = toIso(input.now);
  const index = new HostIndex(input.hosts ?? []);
  const context = { hostViews: new HostViewIndex(input.hostViews) };
  const byKey = new Map<string, { finding: Finding; index: number }>();

  for (const obs of input.observations) {
    const host = index.context(obs);
    for (const rule of compiled.rules) {
      if (!rule.appliesTo(host)) continue;
      for (const v of EVALUATORS[rule.rule.type](rule, obs, context)) {
        const key = findingKey(rule.rule.id, host.address, obs.proto, obs.port, v.subject);
        const existing = byKey.get(key);
        // Entries sharing a rule id may both prove the same key: keep the most severe, then the first.
        if (
          existing &&
          (severityRank(existing.finding.severity) < severityRank(rule.rule.severity) ||
            (existing.finding.severity === rule.rule.severity && existing.index <= rule.index))
        ) {
          continue;
        }
        const finding: Finding = {
          rule: rule.rule.id,
          severity: rule.rule.severity,
          host: obs.host,
          address: host.address,
          proto: obs.proto,
          port: obs.port,
          title: rule.rule.title,
          evidence: v.evidence,
          key,
          status: 'new',
          tags: [...host.tags].sort(),
          ...(host.owner !== undefined ? { owner: host.owner } : {}),
          ...(rule.rule.references !== undefined ? { references: [...rule.rule.references] } : {}),
          firstSeen: now,
          lastSeen: now,
        };
        byKey.set(key, { finding, index: rule.index });
      }
    }
  }
  return [...byKey.values()].map((e) => e.finding).sort(compareFindings);
}
