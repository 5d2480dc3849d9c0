import type { Observation } from '@fleetqry/contracts';

import { serviceName } from '../ports/services.js';
import { compactEvents } from './compact-events.js';
import { CoverageCollector, expandCoverage, isPlainClosed } from './coverage.js';
import type { ProbeTarget } from './port-probe.js';
import type { ScanEvent } from './scanner.js';

const at = '2026-12-06T00:00:00.000Z';
const closed = (address: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): Observation => ({
  host: address,
  address,
  proto,
  port,
  ...(serviceName(port, proto) !== undefined ? { service: serviceName(port, proto)! } : {}),
  state: 'NOT LISTENING',
  reason: proto === 'tcp' ? 'conn-refused' : 'icmp-port-unreachable',
  rttMs: 0.1,
  observedAt: at,
});

describe('plain closed ports', () => {
  it('are NOT LISTENING for the ordinary reason with nothing else observed', () => {
    expect(isPlainClosed(closed('127.0.0.1', 22))).toBe(true);
    expect(isPlainClosed(closed('127.0.0.1', 53, 'udp'))).toBe(true);
    // Anything else carries information and keeps a row of its own.
    expect(isPlainClosed({ ...closed('127.0.0.1', 22), state: 'FILTERED', reason: 'timeout' })).toBe(false);
    expect(isPlainClosed({ ...closed('127.0.0.1', 22), reason: 'host-unreachable' })).toBe(false);
    expect(isPlainClosed({ ...closed('127.0.0.1', 22), evidence: 'recheck: refused in round 2' })).toBe(
      false,
    );
    expect(isPlainClosed({ ...closed('127.0.0.1', 22), service: 'custom' })).toBe(false);
    expect(
      isPlainClosed({
        ...closed('127.0.0.1', 161, 'udp'),
        protocol: { name: 'snmp', status: 'connection-refused', durationMs: 1 },
      }),
    ).toBe(false);
  });

  it('are collected per host and protocol and expand back into the same observations (less the rtt)', () => {
    const c = new CoverageCollector();
    const ports = [1, 2, 3, 22, 24, 25];
    for (const p of [...ports].reverse()) expect(c.add(closed('127.92.0.1', p))).toBe(true);
    expect(c.add({ ...closed('127.92.0.1', 23), state: 'LISTENING', reason: 'syn-ack' })).toBe(false);
    expect(c.add(closed('127.92.0.1', 53, 'udp'))).toBe(true);
    expect(c.pending).toBe(1);
    const coverage = c.hostDone('127.92.0.1');
    expect(c.pending).toBe(0);
    expect(coverage).toEqual([
      {
        host: '127.92.0.1',
        address: '127.92.0.1',
        proto: 'tcp',
        closed: [
          [1, 3],
          [22, 22],
          [24, 25],
        ],
        observedAt: at,
      },
      { host: '127.92.0.1', address: '127.92.0.1', proto: 'udp', closed: [[53, 53]], observedAt: at },
    ]);
    const back = expandCoverage(coverage[0]!);
    expect(back).toEqual(ports.map((p) => (({ rttMs: _r, ...o }) => o)(closed('127.92.0.1', p))));
    expect(expandCoverage(coverage[0]!, (_proto, port) => port === 22).map((o) => o.port)).toEqual([22]);
    // A host with every port informative still has (empty) coverage: it was probed.
    c.add({ ...closed('127.92.0.2', 80), state: 'LISTENING', reason: 'syn-ack' });
    expect(c.hostDone('127.92.0.2')).toEqual([
      { host: '127.92.0.2', address: '127.92.0.2', proto: 'tcp', closed: [], observedAt: at },
    ]);
    expect(c.hostDone('127.92.0.3')).toEqual([]);
  });
});

describe('compactEvents', () => {
  const target = (address: string): ProbeTarget => ({ host: address, address, family: 4 });
  async function* stream(...batches: ScanEvent[][]): AsyncGenerator<ScanEvent[]> {
    yield* batches;
  }

  it('replaces plain closed observations with one coverage event right before each host-done', async () => {
    const open: Observation = { ...closed('127.92.0.1', 80), state: 'LISTENING', reason: 'syn-ack' };
    const out: ScanEvent[] = [];
    for await (const b of compactEvents(
      stream(
        [
          { type: 'observation', observation: closed('127.92.0.1', 1) },
          { type: 'observation', observation: open },
          { type: 'observation', observation: closed('127.92.0.2', 1) },
        ],
        [
          { type: 'observation', observation: closed('127.92.0.1', 2) },
          { type: 'host-done', target: target('127.92.0.1') },
          { type: 'host-refused', target: target('127.92.0.9'), reason: 'out of scope' },
          { type: 'host-done', target: target('127.92.0.2') },
        ],
      ),
    ))
      out.push(...b);
    expect(out.map((e) => e.type)).toEqual([
      'observation',
      'coverage',
      'host-done',
      'host-refused',
      'coverage',
      'host-done',
    ]);
    expect(out[0]).toEqual({ type: 'observation', observation: open });
    expect(out[1]).toMatchObject({ type: 'coverage', closed: 2, coverage: [{ closed: [[1, 2]] }] });
    expect(out[4]).toMatchObject({ type: 'coverage', closed: 1, coverage: [{ address: '127.92.0.2' }] });
  });
});
