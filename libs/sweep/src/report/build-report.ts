import {
  RunReportPlanSchema,
  type Finding,
  type Report,
  type ReportRule,
  type RunInfo,
  type RunReportPlan,
} from '@fleetqry/contracts';
import { filterFindings, summarize, type FindingFilter } from '@fleetqry/policy';
import { runNetworkQuality, runPlanFailures, type RunRecord } from '@fleetqry/store';

/** What a run's stored plan records for its reports; a run recorded before them has none of it. */
export function reportPlan(run: RunRecord): RunReportPlan {
  const parsed = RunReportPlanSchema.safeParse(run.plan ?? {});
  return parsed.success ? parsed.data : {};
}

/** A stored run as the report shows it. */
export function runInfo(run: RunRecord, scan: string | null): RunInfo {
  const plan = (run.plan ?? {}) as { policyVersion?: string; category?: unknown };
  const category = RunReportPlanSchema.shape.category.safeParse(plan.category).data;
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: run.id,
    number: run.number,
    status: run.status,
    trigger: run.trigger,
    scan,
    category: category ?? legacyCategory(run, scan),
    policy: run.policyName ? { name: run.policyName, version: plan.policyVersion ?? null } : null,
    hosts: run.hosts,
    totalProbes: run.totalProbes,
    doneProbes: run.doneProbes,
    network: runNetworkQuality(run),
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    error: run.error,
    planFailures: runPlanFailures(run),
  };
}

/** Runs recorded before categories: the scan's name, never a CLI scan's absolute path. */
function legacyCategory(run: RunRecord, scan: string | null): string {
  if (scan === null) return `run-${run.number}`;
  return scan.startsWith('cli:') ? (scan.split(/[\\/]/).pop() ?? 'cli') : scan;
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
  rules?: readonly ReportRule[],
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
    ...(rules ? { rules: [...rules] } : {}),
    ...(Object.keys(filters).length ? { filters } : {}),
  };
}
