import { Inject, Injectable } from '@nestjs/common';
import { finishRun, getRun, openChunks, type RunRecord } from '@fleetqry/store';

import { observeRunFinished } from '../observability/metrics.js';
import { StoreService } from '../store/store.service.js';
import { ChunkEnqueuer } from './chunk-enqueuer.js';

export interface CancelOutcome {
  run: RunRecord | null;
  cancelled: boolean;
  /** Queued chunks removed from Redis. */
  withdrawn: number;
  /** Chunks a worker had already taken: they finish, and their results are dropped by the ingest. */
  running: number;
}

/** Marks the run cancelled (first outcome wins), then removes the chunk jobs not yet started. */
@Injectable()
export class CancelRunUseCase {
  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(ChunkEnqueuer) private readonly enqueuer: ChunkEnqueuer,
  ) {}

  async execute(idOrNumber: string, reason = 'cancelled'): Promise<CancelOutcome> {
    const prisma = this.store.prisma;
    const run = await getRun(prisma, idOrNumber);
    if (!run) return { run: null, cancelled: false, withdrawn: 0, running: 0 };
    const cancelled = await finishRun(prisma, run.id, { status: 'cancelled', error: reason });
    if (cancelled) observeRunFinished(run, 'cancelled');
    const open = (await openChunks(prisma, run.id)).map((c) => c.chunkIndex);
    const withdrawn = cancelled ? await this.enqueuer.withdraw(run.id, open) : 0;
    return {
      run: await getRun(prisma, run.id),
      cancelled,
      withdrawn,
      running: cancelled ? open.length - withdrawn : 0,
    };
  }
}
