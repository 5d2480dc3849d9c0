import { NotFoundException } from '@nestjs/common';
import type { RunRecord, Store } from '@fleetqry/store';
import { findRun } from '@fleetqry/sweep';

/** A run by uuid, number or `latest` (the newest succeeded run), as the CLI's `--run` means it. */
export async function resolveRun(store: Store, ref: string): Promise<RunRecord> {
  const run = await findRun(store, ref);
  if (run) return run;
  throw new NotFoundException(ref === 'latest' ? 'there is no finished run yet' : `no run "${ref}"`);
}
