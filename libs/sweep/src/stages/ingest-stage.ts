import type { Observation } from '@fleetqry/contracts';
import { ingestObservations, observationToRow, updateRunProgress, type Db } from '@fleetqry/store';

/**
 * The ingest stage: buffers observations and writes them in batches, idempotently (a retried batch
 * inserts nothing twice), advancing the run's progress by what was actually inserted.
 */
export class Ingester {
  private buffer: Observation[] = [];
  private lastFlush = performance.now();
  inserted = 0;
  duplicates = 0;

  constructor(
    private readonly db: Db,
    private readonly runId: string,
    private readonly opts: { batchSize: number; maxDelayMs: number } = { batchSize: 5000, maxDelayMs: 1000 },
  ) {}

  async add(observations: readonly Observation[]): Promise<void> {
    this.buffer.push(...observations);
    if (
      this.buffer.length >= this.opts.batchSize ||
      performance.now() - this.lastFlush >= this.opts.maxDelayMs
    )
      await this.flush();
  }

  async flush(): Promise<void> {
    this.lastFlush = performance.now();
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    await ingestBatch(this.db, this.runId, batch).then((r) => {
      this.inserted += r.inserted;
      this.duplicates += r.duplicates;
    });
  }
}

/** One batch: rows in, progress advanced by the rows that were new. */
export async function ingestBatch(
  db: Db,
  runId: string,
  observations: readonly Observation[],
): Promise<{ inserted: number; duplicates: number }> {
  const result = await ingestObservations(
    db,
    runId,
    observations.map((o) => observationToRow(o)),
  );
  await updateRunProgress(db, runId, { doneProbesDelta: result.inserted });
  return result;
}
