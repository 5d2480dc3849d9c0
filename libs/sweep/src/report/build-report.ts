import type { Finding, Report, RunInfo } from '@fleetqry/contracts';
import { filterFindings, summarize, type FindingFilter } from '@fleetqry/policy';
import { runNetworkQuality, type RunRecord } from '@fleetqry/store';

/** A stored run as the report shows it. */
export function runInfo(run: RunRecord, scan: string | null): RunInfo {
  const plan = (run.plan ?? {}) as { policyVersion?: string };
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: run.id,
    number: run.number,
    status: run.status,
    trigger: run.trigger,
    scan,
    policy: run.policyName ? { name: run.policyName, version: plan.policyVersion ?? null } : null,
    hosts: run.hosts,
    totalProbes: run.totalProbes,
    doneProbes: run.doneProbes,
    network: runNetworkQuality(run),
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    error: run.error,
  };
}

/**
 * The report of one run: its findings with lifecycle statuses (filtered as asked), their summary, and
 * the delta against the previous run of the same scan.
 */
export function buildReport(
  run: RunInfo,
  findings: readonly Finding[],
  previous: { id: string; number: number } | null,
  filter: FindingFilter = {},
): Report {
  const shown = filterFindings(findings, filter);
  const count = (status: Finding['status']) => shown.filter((f) => f.status === status).length;
  const filters = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
  return {
    reportVersion: 1,
    run,
    summary: summarize(shown),
    delta: {
      against: previous,
      new: count('new'),
      resolved: count('resolved'),
      persisting: count('persisting'),
      waived: count('waived'),
    },
    violations: shown,
    ...(Object.keys(filters).length ? { filters } : {}),
  };
}
