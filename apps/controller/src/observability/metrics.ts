import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { CONTROLLER_VERSION } from '../version.js';

/**
 * The controller's one Prometheus registry, served at /metrics. A module instance rather than prom-client's
 * global registry, so tests that build several apps in one process do not collide. The dispatch/runs
 * modules register their metrics here (import `metricsRegistry`, or use the ready-made ones below).
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'fleetqry_controller_' });
// prom-client's `*_active_*_total` gauges break `promtool check metrics` (`_total` is for counters).
for (const metric of metricsRegistry.getMetricsAsArray())
  if (String(metric.type) === 'gauge' && metric.name.endsWith('_total'))
    metricsRegistry.removeSingleMetric(metric.name);

export const buildInfo = new Gauge({
  name: 'fleetqry_build_info',
  help: 'Always 1; the labels say which app and version this process runs',
  labelNames: ['app', 'version'] as const,
  registers: [metricsRegistry],
});
buildInfo.set({ app: 'controller', version: CONTROLLER_VERSION }, 1);

export const httpRequestDuration = new Histogram({
  name: 'fleetqry_http_request_duration_seconds',
  help: 'HTTP request duration, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** Every refused request (401, 403, 429), also those the audit log only sums up. */
export const authDenials = new Counter({
  name: 'fleetqry_auth_denials_total',
  help: 'Requests refused by authentication or authorization, by HTTP status',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

/** Observed by the runs pipeline when a run finishes. */
export const runDuration = new Histogram({
  name: 'fleetqry_run_duration_seconds',
  help: 'Run duration from start to finish, by final status',
  labelNames: ['status'] as const,
  buckets: [1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 7200, 21600],
  registers: [metricsRegistry],
});

/** Incremented by the ingest processor; its rate() is the ingest rate. */
export const observationsIngested = new Counter({
  name: 'fleetqry_observations_ingested_total',
  help: 'Observations written to the store by the results processor',
  registers: [metricsRegistry],
});

/** Incremented as chunks report progress; its rate() is probes/s across all workers. */
export const probesCompleted = new Counter({
  name: 'fleetqry_probes_completed_total',
  help: 'Host×port probes completed across all workers',
  registers: [metricsRegistry],
});

let queueDepthCollector: (() => Promise<void>) | undefined;

/** QueuesService installs the function that reads the counts from Redis on each scrape. */
export function setQueueDepthCollector(fn: (() => Promise<void>) | undefined): void {
  queueDepthCollector = fn;
}

export const queueDepth = new Gauge({
  name: 'fleetqry_queue_jobs',
  help: 'Jobs in each BullMQ queue, by state',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
  collect: () => queueDepthCollector?.(),
});
