import type { Report } from '@fleetqry/contracts';
import type { FindingFilter } from '@fleetqry/policy';
import { buildReport, runInfo } from '@fleetqry/sweep';
import {
  findingsOfRun,
  getRun,
  getScanDefinition,
  listRuns,
  previousRun,
  type Store,
  type RunRecord,
} from '@fleetqry/store';

import { UsageError } from '../usage-error.js';

/** `--run 7`, `--run <uuid>` or `latest` (the newest run that finished). */
export async function findRun(store: Store, ref: string, flag = '--run'): Promise<RunRecord> {
  if (ref === 'latest') {
    const [latest] = (await listRuns(store.prisma, { limit: 50 })).filter((r) => r.status === 'succeeded');
    if (!latest)
      throw new UsageError(`${flag}: there is no finished run in this store yet (run fleetqry sweep first)`);
    return latest;
  }
  const run = await getRun(store.prisma, ref);
  if (!run) throw new UsageError(`${flag}: no run "${ref}" in this store`);
  return run;
}

/** The stored report of a run, as `sweep` printed it, optionally filtered. */
export async function loadRunReport(
  store: Store,
  run: RunRecord,
  filter: FindingFilter = {},
): Promise<Report> {
  const definition = run.scanDefinitionId
    ? await getScanDefinition(store.prisma, run.scanDefinitionId)
    : null;
  const previous = await previousRun(store.prisma, run);
  const findings = await findingsOfRun(store.prisma, run.id);
  return buildReport(
    runInfo(run, definition?.name ?? null),
    findings,
    previous ? { id: previous.id, number: previous.number } : null,
    filter,
  );
}
