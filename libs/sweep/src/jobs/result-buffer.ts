import type { HostCoverage, Observation } from '@fleetqry/contracts';

/** A batch of results: informative observations and per-host coverage of plain closed ports. */
export interface ResultBatch {
  observations: Observation[];
  coverage: HostCoverage[];
}

/**
 * Results collected until a batch is due: once `limit` units of weight are buffered (the caller's measure:
 * records for a worker's result job, probes for an ingest transaction) or `maxDelayMs` after the last batch
 * was taken, whichever comes first. Memory holds one batch, never the run. The one buffer of both
 * transports: a worker publishing result jobs, the embedded sweep ingesting into its store.
 */
export class ResultBuffer {
  private batch: ResultBatch = { observations: [], coverage: [] };
  private weight = 0;
  private takenAt = performance.now();

  constructor(
    private readonly limit: number,
    private readonly maxDelayMs: number,
  ) {}

  add(observations: readonly Observation[], coverage: readonly HostCoverage[], weight: number): void {
    this.batch.observations.push(...observations);
    this.batch.coverage.push(...coverage);
    this.weight += weight;
  }

  get empty(): boolean {
    return this.batch.observations.length === 0 && this.batch.coverage.length === 0;
  }

  /** Whether the batch should go now: big enough, or held long enough. */
  get due(): boolean {
    return this.weight >= this.limit || performance.now() - this.takenAt >= this.maxDelayMs;
  }

  /** Everything buffered (possibly nothing); the buffer starts over and its clock restarts. */
  take(): ResultBatch {
    const batch = this.batch;
    this.batch = { observations: [], coverage: [] };
    this.weight = 0;
    this.takenAt = performance.now();
    return batch;
  }
}
