import { Inject, Injectable, Logger } from '@nestjs/common';
import { finishRun, openChunks, type RunRecord } from '@fleetqry/store';

import { observeRunFinished } from '../observability/metrics.js';
import { StoreService } from '../store/store.service.js';
import { ChunkEnqueuer } from './chunk-enqueuer.js';
import { DispatchQueues } from './dispatch-queues.js';

/**
 * Ends a run as failed (first outcome wins): withdraws its chunk jobs not yet taken and publishes
 * `run.failed` for its webhooks. Every path that fails a distributed run comes through here.
 */
@Injectable()
export class FailRunUseCase {
  private readonly logger = new Logger(FailRunUseCase.name);

  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(ChunkEnqueuer) private readonly enqueuer: ChunkEnqueuer,
    @Inject(DispatchQueues) private readonly queues: DispatchQueues,
  ) {}

  /** False when the run had already ended (another replica, a cancel): nothing is published twice. */
  async execute(run: Pick<RunRecord, 'id' | 'startedAt' | 'createdAt'>, error: string): Promise<boolean> {
    if (!(await finishRun(this.store.prisma, run.id, { status: 'failed', error }))) return false;
    observeRunFinished(run, 'failed');
    const open = await openChunks(this.store.prisma, run.id);
    if (open.length > 0)
      await this.enqueuer.withdraw(
        run.id,
        open.map((c) => c.chunkIndex),
      );
    this.logger.warn(`run ${run.id} failed: ${error}`);
    await this.queues.publishRunEvent(run.id, 'failed');
    return true;
  }
}
