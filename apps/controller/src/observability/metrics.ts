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

const buildInfo = new Gauge({
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

/** Observed where a run finishes (observeRunFinished); the count of `failed` is what "runs failing" alerts on. */
const runDuration = new Histogram({
  name: 'fleetqry_run_duration_seconds',
  help: 'Run duration from start (or creation, if it never started) to finish, by final status',
  labelNames: ['status'] as const,
  buckets: [1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 7200, 21600],
  registers: [metricsRegistry],
});

/** Called once per run, by whoever finished it (finishRun returned true: first outcome wins). */
export function observeRunFinished(
  run: { startedAt: Date | null; createdAt: Date },
  status: 'succeeded' | 'failed' | 'cancelled',
): void {
  runDuration.observe(
    { status },
    Math.max(0, Date.now() - (run.startedAt ?? run.createdAt).getTime()) / 1000,
  );
}

/** Incremented by the ingest processor; its rate() is the ingest rate. */
export const observationsIngested = new Counter({
  name: 'fleetqry_observations_ingested_total',
  help: 'Informative observations written to the store by the results processor (closed ports travel as coverage)',
  registers: [metricsRegistry],
});

/**
 * A gauge whose values the service owning their source reads on each scrape: the service installs the
 * reader when it starts and removes it when it stops (the gauges outlive apps built in one test process).
 */
class ScrapedGauge<L extends string> {
  private reader: (() => Promise<void>) | undefined;
  readonly gauge: Gauge<L>;

  constructor(config: { name: string; help: string; labelNames: readonly L[] }) {
    this.gauge = new Gauge({ ...config, registers: [metricsRegistry], collect: () => this.reader?.() });
  }

  readWith(reader: (() => Promise<void>) | undefined): void {
    this.reader = reader;
  }
}

/** Read by QueuesService from Redis. */
export const queueDepth = new ScrapedGauge({
  name: 'fleetqry_queue_jobs',
  help: 'Jobs in each BullMQ queue, by state',
  labelNames: ['queue', 'state'] as const,
});

/** Read by QueuesService from Redis: 0 on the probe queue means no worker is there to take chunks. */
export const queueWorkers = new ScrapedGauge({
  name: 'fleetqry_queue_workers',
  help: 'BullMQ workers connected to each queue (workers on probe and queries, controllers on the others)',
  labelNames: ['queue'] as const,
});

/** Read by LatestRunFindings from the store. */
export const latestRunFindings = new ScrapedGauge({
  name: 'fleetqry_latest_run_findings',
  help: "Findings of each scan definition's latest succeeded run, by severity and status",
  labelNames: ['scan', 'severity', 'status'] as const,
});
