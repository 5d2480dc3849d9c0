import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's Prometheus metrics, on its own registry (no global state shared with other code). */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly chunks = new Counter({
    name: 'fleetqry_worker_chunks_total',
    help: 'Chunks processed, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly rejectedJobs = new Counter({
    name: 'fleetqry_worker_jobs_rejected_total',
    help: 'Probe jobs refused without running: unsigned, bad signature (not from the controller), or invalid',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly observations = new Counter({
    name: 'fleetqry_worker_observations_total',
    help: 'Observations published to the results queue',
    registers: [this.registry],
  });
  readonly chunkSeconds = new Histogram({
    name: 'fleetqry_worker_chunk_duration_seconds',
    help: 'Time to probe one chunk',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
