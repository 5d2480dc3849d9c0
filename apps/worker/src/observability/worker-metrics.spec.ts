import type { HostCoverage, Observation } from '@fleetqry/contracts';

import { WorkerMetrics } from './worker-metrics.js';

const at = '2026-12-06T00:00:00.000Z';
const obs = (over: Partial<Observation>): Observation => ({
  host: '127.30.0.1',
  address: '127.30.0.1',
  proto: 'tcp',
  port: 22,
  state: 'LISTENING',
  reason: 'syn-ack',
  observedAt: at,
  ...over,
});
const coverage = (proto: 'tcp' | 'udp', closed: [number, number][]): HostCoverage => ({
  host: '127.30.0.1',
  address: '127.30.0.1',
  proto,
  closed,
  observedAt: at,
});

/** A counter's value for one label set (0 when it has none). */
async function value(metrics: WorkerMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  const found = metric.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

describe('WorkerMetrics', () => {
  it('starts every proto × state series at zero, so rate() sees their first increase', async () => {
    const metric = await new WorkerMetrics().registry.getSingleMetric('fleetqry_worker_probes_total')!.get();
    expect(metric.values).toHaveLength(8);
    expect(metric.values.every((v) => v.value === 0)).toBe(true);
  });

  it('counts observations by proto and state, and a coverage record as its closed ports', async () => {
    const m = new WorkerMetrics();
    m.countProbes(
      [obs({}), obs({ port: 80 }), obs({ proto: 'udp', port: 161, state: 'LISTENING or FILTERED' })],
      [
        coverage('tcp', [
          [1, 21],
          [23, 79],
        ]),
        coverage('udp', [[1, 1]]),
      ],
    );
    const probes = (proto: string, state: string) =>
      value(m, 'fleetqry_worker_probes_total', { proto, state });
    expect(await probes('tcp', 'LISTENING')).toBe(2);
    expect(await probes('udp', 'LISTENING or FILTERED')).toBe(1);
    expect(await probes('tcp', 'NOT LISTENING')).toBe(21 + 57);
    expect(await probes('udp', 'NOT LISTENING')).toBe(1);
    expect(await probes('tcp', 'FILTERED')).toBe(0);
  });

  it('counts protocol queries that did not succeed, by protocol and status; successes are not errors', async () => {
    const m = new WorkerMetrics();
    const q = (name: string, status: 'success' | 'io-timeout' | 'protocol-error') =>
      obs({ protocol: { name, status, durationMs: 5 } });
    m.countProbes([
      q('snmp', 'io-timeout'),
      q('snmp', 'io-timeout'),
      q('ldap', 'protocol-error'),
      q('dns', 'success'),
      obs({}),
    ]);
    const errors = (protocol: string, status: string) =>
      value(m, 'fleetqry_worker_protocol_query_errors_total', { protocol, status });
    expect(await errors('snmp', 'io-timeout')).toBe(2);
    expect(await errors('ldap', 'protocol-error')).toBe(1);
    expect(await errors('dns', 'success')).toBe(0);
  });

  it('adds up over calls', async () => {
    const m = new WorkerMetrics();
    m.countProbes([obs({})]);
    m.countProbes([obs({})], [coverage('tcp', [])]);
    expect(await value(m, 'fleetqry_worker_probes_total', { proto: 'tcp', state: 'LISTENING' })).toBe(2);
    expect(await value(m, 'fleetqry_worker_probes_total', { proto: 'tcp', state: 'NOT LISTENING' })).toBe(0);
  });

  it('exposes build info and process metrics under the worker prefix, and no gauge named like a counter', async () => {
    const m = new WorkerMetrics();
    expect(await value(m, 'fleetqry_build_info', { app: 'worker' })).toBe(1);
    const metrics = m.registry.getMetricsAsArray();
    expect(metrics.some((x) => x.name === 'fleetqry_worker_process_cpu_seconds_total')).toBe(true);
    const misnamed = metrics.filter((x) => String(x.type) === 'gauge' && x.name.endsWith('_total'));
    expect(misnamed.map((x) => x.name)).toEqual([]);
  });

  it('keeps each instance on its own registry', async () => {
    const a = new WorkerMetrics();
    const b = new WorkerMetrics();
    a.chunks.inc({ outcome: 'succeeded' });
    expect(await value(b, 'fleetqry_worker_chunks_total', { outcome: 'succeeded' })).toBe(0);
  });
});
