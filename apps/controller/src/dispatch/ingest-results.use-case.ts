import { Inject, Injectable } from '@nestjs/common';
import type { ResultBatchJob } from '@fleetqry/contracts';
import {
  countOpenChunks,
  isAttemptComplete,
  lockRunChunk,
  markChunkDone,
  recordChunkBatch,
  recordChunkOutcome,
  updateRunProgress,
  type NewRunChunk,
} from '@fleetqry/store';
import { ingestBatch } from '@fleetqry/sweep';

import { StoreService } from '../store/store.service.js';

export type IngestOutcome =
  | { kind: 'ingested'; inserted: number; chunkDone: boolean; runComplete: boolean }
  | {
      kind: 'dropped';
      reason: 'unknown chunk' | 'chunk already done' | 'run not running' | 'duplicate batch';
    };

/**
 * The ingest stage for one result batch, in one transaction: the chunk's row lock serialises everything
 * about that chunk (so the final marker and the last batch, ingested by two consumers at once, cannot both
 * miss the completion); observations go in through libs/sweep's ingestBatch (ON CONFLICT: a retried chunk
 * stores nothing twice); the batch mark makes a redelivered job a no-op. Whoever completes the last chunk
 * of the run learns it here (the run row is locked by the progress update, so exactly one does).
 */
@Injectable()
export class IngestResultsUseCase {
  constructor(@Inject(StoreService) private readonly store: StoreService) {}

  async execute(batch: ResultBatchJob): Promise<IngestOutcome> {
    const { runId, chunkIndex, attempt, seq } = batch;
    return this.store.prisma.$transaction(
      async (tx): Promise<IngestOutcome> => {
        const chunk = await lockRunChunk(tx, runId, chunkIndex);
        if (!chunk) return { kind: 'dropped', reason: 'unknown chunk' };
        if (chunk.done) return { kind: 'dropped', reason: 'chunk already done' };
        const run = await tx.run.findUnique({ where: { id: runId }, select: { status: true } });
        if (run?.status !== 'running') return { kind: 'dropped', reason: 'run not running' };
        const fresh = await recordChunkBatch(tx, {
          runId,
          chunkIndex,
          attempt,
          seq,
          ...(batch.final ? { batches: batch.final.batches } : {}),
        });
        if (!fresh) return { kind: 'dropped', reason: 'duplicate batch' };
        let inserted = 0;
        if (batch.observations.length > 0)
          inserted = (await ingestBatch(tx, runId, batch.observations)).inserted;
        else await updateRunProgress(tx, runId, {}); // heartbeat, and the run row lock
        if (batch.final)
          await recordChunkOutcome(tx, runId, chunkIndex, {
            observations: batch.final.observations,
            failures: batch.failures as unknown as NewRunChunk['targets'],
          });
        if (!(await isAttemptComplete(tx, runId, chunkIndex, attempt)))
          return { kind: 'ingested', inserted, chunkDone: false, runComplete: false };
        const chunkDone = await markChunkDone(tx, runId, chunkIndex);
        const runComplete = chunkDone && (await countOpenChunks(tx, runId)) === 0;
        return { kind: 'ingested', inserted, chunkDone, runComplete };
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }
}
