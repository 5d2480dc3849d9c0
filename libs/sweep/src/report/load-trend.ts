import { SEVERITIES, type Severity, type TrendPoint, type ViolationTrend } from '@fleetqry/contracts';
import { getRun, violationTrend, type Store } from '@fleetqry/store';

/** How many runs the trend chart shows unless asked otherwise. */
const DEFAULT_TREND_RUNS = 30;

/**
 * Violations per succeeded run of a run's scan definition, up to and including that run, oldest first: the
 * chart of the console's overview and of the HTML report. A run without a scan definition has no history.
 */
export async function loadViolationTrend(
  store: Store,
  runId: string,
  limit = DEFAULT_TREND_RUNS,
): Promise<ViolationTrend> {
  const run = await getRun(store.prisma, runId);
  const scanDefinitionId = run?.scanDefinitionId ?? null;
  if (!run || !scanDefinitionId) return { scanDefinitionId, points: [] };
  const rows = await store.sql((conn) => violationTrend(conn, scanDefinitionId, limit, run.number));
  const points = new Map<string, TrendPoint>();
  for (const row of rows) {
    let p = points.get(row.runId);
    if (!p) {
      const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      p = {
        run: { id: row.runId, number: row.number },
        finishedAt: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
        total: 0,
        bySeverity,
      };
      points.set(row.runId, p);
    }
    if (row.severity) {
      p.bySeverity[row.severity] += row.count;
      p.total += row.count;
    }
  }
  return { scanDefinitionId, points: [...points.values()] };
}
