import { countPorts, PORT_STATES, PROTOS, type HostCoverage, type Observation } from '@fleetqry/contracts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's version, in fleetqry_build_info. */
const WORKER_VERSION = '0.1.0';

/**
 * prom-client's default process metrics include gauges named `*_total` (active handles and requests),
 * which `promtool check metrics` rejects (`_total` is for counters); they go.
 */
function dropMisnamedGauges(registry: Registry): void {
  for (const metric of registry.getMetricsAsArray())
    if (String(metric.type) === 'gauge' && metric.name.endsWith('_total'))
      registry.removeSingleMetric(metric.name);
}

/** What the probe use cases report, as they go: the probes they produced. */
export interface ProbeTally {
  countProbes(observations: readonly Observation[], coverage?: readonly HostCoverage[]): void;
}

/** The worker's Prometheus metrics, on its own registry (no global state shared with other code). */
export class WorkerMetrics implements ProbeTally {
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
  readonly probes = new Counter({
    name: 'fleetqry_worker_probes_total',
    help: 'Host×port probes done (chunks and PortQry queries), by transport protocol and port state',
    labelNames: ['proto', 'state'] as const,
    registers: [this.registry],
  });
  readonly protocolQueryErrors = new Counter({
    name: 'fleetqry_worker_protocol_query_errors_total',
    help: 'Protocol queries (snmp, ldap, dns, …) that did not succeed, by protocol and status',
    labelNames: ['protocol', 'status'] as const,
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
    // Every proto × state from the start, so rate() sees a series' first increase.
    for (const proto of PROTOS) for (const state of PORT_STATES) this.probes.inc({ proto, state }, 0);
  }

  /** Informative observations one by one; a coverage record's plain closed ports (NOT LISTENING) as a count. */
  countProbes(observations: readonly Observation[], coverage: readonly HostCoverage[] = []): void {
    // Summed per label set first: a chunk reports thousands of probes at a time.
    const probes = new Tally<'proto' | 'state'>();
    const errors = new Tally<'protocol' | 'status'>();
    for (const o of observations) {
      probes.add({ proto: o.proto, state: o.state });
      if (o.protocol && o.protocol.status !== 'success')
        errors.add({ protocol: o.protocol.name, status: o.protocol.status });
    }
    for (const c of coverage) probes.add({ proto: c.proto, state: 'NOT LISTENING' }, countPorts(c.closed));
    probes.into(this.probes);
    errors.into(this.protocolQueryErrors);
  }
}

/** Counts per label set, added to a counter in one step per set. */
class Tally<L extends string> {
  private readonly counts = new Map<string, { labels: Record<L, string>; n: number }>();

  add(labels: Record<L, string>, n = 1): void {
    const key = Object.values(labels).join('\0');
    const entry = this.counts.get(key);
    if (entry) entry.n += n;
    else this.counts.set(key, { labels, n });
  }

  into(counter: Counter<L>): void {
    for (const { labels, n } of this.counts.values()) if (n > 0) counter.inc(labels, n);
  }
}
