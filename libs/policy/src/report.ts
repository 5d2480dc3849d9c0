import {
  type Finding,
  FINDING_STATUSES,
  type FindingStatus,
  SEVERITIES,
  type Severity,
  severityRank,
} from '@fleetqry/contracts';

import { parseAddress, parseAddressSelector } from './address.js';
import { compareFindings } from './evaluate.js';

/** A violation is an open finding: new or persisting (waived and resolved ones are not). */
function isViolation(f: Finding): boolean {
  return f.status === 'new' || f.status === 'persisting';
}

interface RuleSummary {
  rule: string;
  /** The most severe severity among the rule's violations. */
  severity: Severity;
  count: number;
  hosts: number;
}

export interface FindingSummary {
  total: number;
  violations: number;
  /** Distinct addresses with at least one violation. */
  hostsWithViolations: number;
  byStatus: Record<FindingStatus, number>;
  /** Violations only. */
  bySeverity: Record<Severity, number>;
  /** Violations only; most severe first, then most frequent, then rule id. */
  byRule: RuleSummary[];
}

export function summarize(findings: readonly Finding[]): FindingSummary {
  const byStatus = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as Record<FindingStatus, number>;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const rules = new Map<string, { severity: Severity; count: number; hosts: Set<string> }>();
  const hosts = new Set<string>();
  let violations = 0;
  for (const f of findings) {
    byStatus[f.status]++;
    if (!isViolation(f)) continue;
    violations++;
    bySeverity[f.severity]++;
    hosts.add(f.address);
    const r = rules.get(f.rule) ?? { severity: f.severity, count: 0, hosts: new Set<string>() };
    if (severityRank(f.severity) < severityRank(r.severity)) r.severity = f.severity;
    r.count++;
    r.hosts.add(f.address);
    rules.set(f.rule, r);
  }
  const byRule = [...rules.entries()]
    .map(([rule, r]) => ({ rule, severity: r.severity, count: r.count, hosts: r.hosts.size }))
    .sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        b.count - a.count ||
        (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
    );
  return {
    total: findings.length,
    violations,
    hostsWithViolations: hosts.size,
    byStatus,
    bySeverity,
    byRule,
  };
}

export interface FindingFilter {
  /** Severity at or above (e.g. `high` keeps critical and high). */
  minSeverity?: Severity;
  /** Rule ids; a trailing `*` matches a prefix (`snmp.*`). */
  rules?: readonly string[];
  /** The finding's host carries at least one of these tags. */
  tags?: readonly string[];
  /** Addresses, CIDRs or host names. */
  hosts?: readonly string[];
  statuses?: readonly FindingStatus[];
}

function hostMatcher(spec: string): (f: Finding) => boolean {
  if (parseAddress(spec.split('/')[0] ?? '') !== undefined) {
    const selector = parseAddressSelector(spec);
    return (f) => selector.contains(f.address);
  }
  const name = spec.toLowerCase();
  return (f) => f.host.toLowerCase() === name;
}

function ruleMatcher(spec: string): (rule: string) => boolean {
  return spec.endsWith('*') ? (rule) => rule.startsWith(spec.slice(0, -1)) : (rule) => rule === spec;
}

/** Every given criterion must hold (AND); within a list any entry may match (OR). Throws on a bad CIDR. */
export function filterFindings(findings: readonly Finding[], filter: FindingFilter): Finding[] {
  const rules = filter.rules?.map(ruleMatcher);
  const hosts = filter.hosts?.map(hostMatcher);
  const maxRank = filter.minSeverity === undefined ? undefined : severityRank(filter.minSeverity);
  return findings.filter(
    (f) =>
      (maxRank === undefined || severityRank(f.severity) <= maxRank) &&
      (rules === undefined || rules.some((m) => m(f.rule))) &&
      (filter.tags === undefined || filter.tags.some((t) => f.tags.includes(t))) &&
      (hosts === undefined || hosts.some((m) => m(f))) &&
      (filter.statuses === undefined || filter.statuses.includes(f.status)),
  );
}

/** Whether any violation is at or above `failOn` (for `--fail-on`, exit code 3). */
export function hasViolationsAtOrAbove(findings: readonly Finding[], failOn: Severity): boolean {
  return findings.some((f) => isViolation(f) && severityRank(f.severity) <= severityRank(failOn));
}

export interface FindingDelta {
  /** Open now, not open before. */
  new: Finding[];
  /** Open before, not open now (the previous record). */
  resolved: Finding[];
  /** Open before and now (the current record). */
  persisting: Finding[];
  /** Persisting findings whose severity changed (policy edit): current record with the old severity. */
  severityChanged: Array<{ finding: Finding; previousSeverity: Severity }>;
}

/**
 * Difference between two runs' findings by key, looking only at open findings (new, persisting,
 * waived count as open here, resolved does not). Independent of the stored statuses, so any two runs
 * can be compared (`fleetqry diff A B`).
 */
export function delta(previous: readonly Finding[], current: readonly Finding[]): FindingDelta {
  const open = (list: readonly Finding[]) =>
    new Map(list.filter((f) => f.status !== 'resolved').map((f) => [f.key, f]));
  const before = open(previous);
  const after = open(current);
  const out: FindingDelta = { new: [], resolved: [], persisting: [], severityChanged: [] };
  for (const [key, f] of after) {
    const p = before.get(key);
    if (!p) {
      out.new.push(f);
      continue;
    }
    out.persisting.push(f);
    if (p.severity !== f.severity) out.severityChanged.push({ finding: f, previousSeverity: p.severity });
  }
  for (const [key, p] of before) if (!after.has(key)) out.resolved.push(p);
  out.new.sort(compareFindings);
  out.resolved.sort(compareFindings);
  out.persisting.sort(compareFindings);
  out.severityChanged.sort((a, b) => compareFindings(a.finding, b.finding));
  return out;
}
