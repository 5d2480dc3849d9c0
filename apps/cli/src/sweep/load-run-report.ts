import { findRun as findStoredRun } from '@fleetqry/sweep';
import type { RunRecord, Store } from '@fleetqry/store';

import { UsageError } from '../usage-error.js';

export { loadRunReport } from '@fleetqry/sweep';

/** `--run 7`, `--run <uuid>` or `latest` (the newest run that succeeded), or a usage error naming the flag. */
export async function findRun(store: Store, ref: string, flag = '--run'): Promise<RunRecord> {
  const run = await findStoredRun(store, ref);
  if (run) return run;
  throw new UsageError(
    ref === 'latest'
      ? `${flag}: there is no finished run in this store yet (run fleetqry sweep first)`
      : `${flag}: no run "${ref}" in this store`,
  );
}
