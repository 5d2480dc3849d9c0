import { SEVERITIES, severityRank, type Report } from '@fleetqry/contracts';
import { parseAddress, parseAddressSelector, type FindingFilter } from '@fleetqry/policy';
import {
  getRun,
  getScanDefinition,
  latestSucceededRun,
  previousRun,
  selectFindings,
  type FindingFilter as StoreFindingFilter,
  type RunRecord,
  type Store,
} from '@fleetqry/store';

import { buildReport, reportPlan, runInfo } from './build-report.js';
import { locateFindings } from './finding-sources.js';

/**
 * A run by reference, as the CLI's `--run` and the API's `:run` mean it: `latest` (the newest succeeded run,
 * one indexed query), a run number, or a uuid. Null when there is none.
 */
export async function findRun(store: Store, ref: string): Promise<RunRecord | null> {
  return ref === 'latest' ? latestSucceededRun(store.prisma) : getRun(store.prisma, ref);
}

/** The report filter as the store's SQL filter; a malformed CIDR throws (before any SQL runs). */
export function toStoreFilter(runId: string, filter: FindingFilter): StoreFindingFilter {
  for (const h of filter.hosts ?? []) if (h.includes('/') || parseAddress(h)) parseAddressSelector(h);
  return {
    runId,
    ...(filter.minSeverity
      ? { severity: SEVERITIES.filter((s) => severityRank(s) <= severityRank(filter.minSeverity!)) }
      : {}),
    ...(filter.rules?.length ? { rule: [...filter.rules] } : {}),
    ...(filter.hosts?.length ? { host: [...filter.hosts] } : {}),
    ...(filter.tags?.length ? { tag: [...filter.tags] } : {}),
    ...(filter.statuses?.length ? { status: [...filter.statuses] } : {}),
  };
}

/**
 * The stored report of a run, as `sweep` printed it, filtered in SQL (indexes, no whole-run load for a
 * filtered view). One loader for the CLI's `report`, the embedded sweep and the API's `/reports/:run`.
 * Findings point at their hosts' inventory entries, with paths relative to `sourceRoot` (default: the root
 * recorded when the run started).
 */
export async function loadRunReport(
  store: Store,
  run: RunRecord,
  filter: FindingFilter = {},
  opts: { sourceRoot?: string } = {},
): Promise<Report> {
  const storeFilter = toStoreFilter(run.id, filter);
  const definition = run.scanDefinitionId
    ? await getScanDefinition(store.prisma, run.scanDefinitionId)
    : null;
  const previous = await previousRun(store.prisma, run);
  const plan = reportPlan(run);
  const selected = await store.sql((conn) => selectFindings(conn, storeFilter));
  const findings = plan.sources
    ? locateFindings(selected, plan.sources, opts.sourceRoot ?? plan.sources.root)
    : selected;
  return buildReport(
    runInfo(run, definition?.name ?? null),
    findings,
    previous ? { id: previous.id, number: previous.number } : null,
    filter,
    plan.rules,
  );
}
