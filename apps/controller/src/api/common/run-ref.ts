import { NotFoundException } from '@nestjs/common';
import { getRun, listRuns, type Db, type RunRecord } from '@fleetqry/store';

/** A run by uuid, number or `latest` (the newest succeeded run), as the CLI's `--run` means it. */
export async function resolveRun(db: Db, ref: string): Promise<RunRecord> {
  if (ref === 'latest') {
    const latest = (await listRuns(db, { limit: 50 })).find((r) => r.status === 'succeeded');
    if (!latest) throw new NotFoundException('there is no finished run yet');
    return latest;
  }
  const run = await getRun(db, ref);
  if (!run) throw new NotFoundException(`no run "${ref}"`);
  return run;
}
