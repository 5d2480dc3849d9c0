import type { HostCoverage, Observation, ResultBatchJob } from '@fleetqry/contracts';
import {
  addRunProgress,
  countOpenChunks,
  ingestResults,
  isAttemptComplete,
  lockRunChunk,
  lockRunRow,
  markChunkDone,
  observationToRow,
  recordChunkBatch,
  recordChunkOutcome,
  type IngestResult,
  type SqlConnection,
  type Store,
} from '@fleetqry/store';

import { ResultBuffer } from '../jobs/result-buffer.js';

export interface IngesterOptions {
  /** Flush once this many probes (informative rows plus covered closed ports) are buffered. */
  batchProbes: number;
  /** …or once this long has passed since the last flush. */
  maxDelayMs: number;
}

/**
 * The ingest stage of the embedded transport: buffers compact results (informative observations and host
 * coverage) and writes them in COPY batches, idempotently, advancing the run's progress by what was new.
 * Memory holds one batch, never the run — except while the target (store and run) is still being opened:
 * results wait in the buffer then, and the first flush after it is ready writes them.
 */
export class Ingester {
  private readonly buffer: ResultBuffer;
  private ready = false;
  readonly totals: IngestResult = { inserted: 0, duplicates: 0, coverageInserted: 0, closedProbes: 0 };

  constructor(
    private readonly target: Promise<{ store: Store; runId: string }>,
    opts: IngesterOptions = { batchProbes: 50_000, maxDelayMs: 1000 },
  ) {
    this.buffer = new ResultBuffer(opts.batchProbes, opts.maxDelayMs);
    target.then(
      () => (this.ready = true),
      () => {},
    );
  }

  async add(
    observations: readonly Observation[],
    coverage: readonly HostCoverage[],
    probes: number,
  ): Promise<void> {
    this.buffer.add(observations, coverage, probes);
    if (this.ready && this.buffer.due) await this.flush();
  }

  async flush(): Promise<void> {
    const { store, runId } = await this.target;
    if (this.buffer.empty) return;
    const { observations, coverage } = this.buffer.take();
    const r = await store.sql((conn) =>
      conn.transaction((tx) => ingestBatch(tx, runId, observations, coverage)),
    );
    for (const k of Object.keys(r) as (keyof IngestResult)[]) this.totals[k] += r[k];
  }
}

/** One batch inside the caller's transaction: rows and coverage in, progress advanced by the new probes. */
export async function ingestBatch(
  tx: SqlConnection,
  runId: string,
  observations: readonly Observation[],
  coverage: readonly HostCoverage[],
): Promise<IngestResult> {
  const result = await ingestResults(
    tx,
    runId,
    observations.map((o) => observationToRow(o)),
    coverage,
  );
  await addRunProgress(tx, runId, result.inserted + result.closedProbes);
  return result;
}

export type ChunkIngestOutcome =
  | { kind: 'ingested'; inserted: number; chunkDone: boolean; runComplete: boolean }
  | {
      kind: 'dropped';
      reason: 'unknown chunk' | 'chunk already done' | 'run not running' | 'duplicate batch';
    };

/**
 * The ingest stage of the distributed transport, for one result batch of a chunk attempt, in one transaction:
 * the chunk's row lock serialises everything about that chunk (so the final marker and the last batch,
 * ingested by two consumers at once, cannot both miss the completion); the batch mark makes a redelivered
 * job a no-op; the run's row lock makes exactly one consumer learn that the run's last chunk is in.
 */
export async function ingestChunkBatch(store: Store, batch: ResultBatchJob): Promise<ChunkIngestOutcome> {
  const { runId, chunkIndex, attempt, seq } = batch;
  return store.sql((conn) =>
    conn.transaction(async (tx): Promise<ChunkIngestOutcome> => {
      const chunk = await lockRunChunk(tx, runId, chunkIndex);
      if (!chunk) return { kind: 'dropped', reason: 'unknown chunk' };
      if (chunk.done) return { kind: 'dropped', reason: 'chunk already done' };
      if ((await lockRunRow(tx, runId)) !== 'running') return { kind: 'dropped', reason: 'run not running' };
      const fresh = await recordChunkBatch(tx, {
        runId,
        chunkIndex,
        attempt,
        seq,
        ...(batch.final ? { batches: batch.final.batches } : {}),
      });
      if (!fresh) return { kind: 'dropped', reason: 'duplicate batch' };
      const { inserted } = await ingestBatch(tx, runId, batch.observations, batch.coverage);
      if (batch.final)
        await recordChunkOutcome(tx, runId, chunkIndex, {
          observations: batch.final.observations,
          failures: batch.failures,
          ...(batch.final.network ? { network: batch.final.network } : {}),
        });
      if (!(await isAttemptComplete(tx, runId, chunkIndex, attempt)))
        return { kind: 'ingested', inserted, chunkDone: false, runComplete: false };
      const chunkDone = await markChunkDone(tx, runId, chunkIndex);
      const runComplete = chunkDone && (await countOpenChunks(tx, runId)) === 0;
      return { kind: 'ingested', inserted, chunkDone, runComplete };
    }),
  );
}
