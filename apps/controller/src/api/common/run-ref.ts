import { NotFoundException } from '@nestjs/common';
import type { RunRecord, Store } from '@fleetqry/store';
import { findRun } from '@fleetqry/sweep';
import { z } from 'zod';

import { validationError } from './zod-validation.pipe.js';

const Uuid = z.uuid();

/** 400 naming `path` unless `ref` is a run id (uuid), a run number, or (where allowed) `latest`. */
export function assertRunRef(ref: string, path: string, latest = true): void {
  if ((latest && ref === 'latest') || /^\d{1,9}$/.test(ref) || Uuid.safeParse(ref).success) return;
  throw validationError([
    { path, message: `must be a run id (uuid) or a run number${latest ? ', or latest' : ''}` },
  ]);
}

/** A run by uuid, number or `latest` (the newest succeeded run), as the CLI's `--run` means it. */
export async function resolveRun(store: Store, ref: string, path = 'run'): Promise<RunRecord> {
  assertRunRef(ref, path);
  const run = await findRun(store, ref);
  if (run) return run;
  throw new NotFoundException(ref === 'latest' ? 'there is no finished run yet' : `no run "${ref}"`);
}
