import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's version, in fleetqry_build_info. */
export const WORKER_VERSION = '0.1.0';

/**
 * prom-client's default process metrics include gauges named `*_total` (active handles and requests),
 * which `promtool check metrics` rejects (`_total` is for counters); they go.
 */
export function dropMisnamedGauges(registry: Registry): void {
  for (const metric of registry.getMetricsAsArray())
    if (String(metric.type) === 'gauge' && metric.name.endsWith('_total'))
      registry.removeSingleMetric(metric.name);
}

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

  readonly buildInfo = new Gauge({
    name: 'fleetqry_build_info',
    help: 'Always 1; the labels say which app and version this process runs',
    labelNames: ['app', 'version'] as const,
    registers: [this.registry],
  });

  constructor() {
    // One prefix convention: fleetqry_<app>_ for process metrics, fleetqry_ for the app's own.
    collectDefaultMetrics({ register: this.registry, prefix: 'fleetqry_worker_' });
    dropMisnamedGauges(this.registry);
    this.buildInfo.set({ app: 'worker', version: WORKER_VERSION }, 1);
  }
}
