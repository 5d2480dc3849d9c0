import type { HostCoverage, Observation } from '@fleetqry/contracts';

import { ResultBuffer } from './result-buffer.js';

const obs = (port: number): Observation => ({
  host: 'h',
  address: '127.0.0.1',
  proto: 'tcp',
  port,
  state: 'LISTENING',
  reason: 'syn-ack',
  observedAt: '2026-12-06T00:00:00.000Z',
});
const cov: HostCoverage = {
  host: 'h',
  address: '127.0.0.1',
  proto: 'tcp',
  closed: [[1, 20]],
  observedAt: '2026-12-06T00:00:00.000Z',
};

describe('ResultBuffer', () => {
  it('is due once the weight reaches the limit, and starts over when taken', () => {
    const b = new ResultBuffer(10, 60_000);
    expect(b.empty).toBe(true);
    b.add([obs(22)], [], 1);
    expect([b.empty, b.due]).toEqual([false, false]);
    // Weight is the caller's measure: here 20 closed probes in one coverage record.
    b.add([], [cov], 20);
    expect(b.due).toBe(true);
    expect(b.take()).toEqual({ observations: [obs(22)], coverage: [cov] });
    expect([b.empty, b.due]).toEqual([true, false]);
    expect(b.take()).toEqual({ observations: [], coverage: [] });
  });

  it('is due after maxDelayMs however little it holds, counted from the last batch taken', async () => {
    const b = new ResultBuffer(1e9, 30);
    b.add([obs(1)], [], 1);
    expect(b.due).toBe(false);
    await new Promise((r) => setTimeout(r, 40));
    expect(b.due).toBe(true);
    b.take();
    expect(b.due).toBe(false);
  });

  it('keeps what was taken apart from what comes after', () => {
    const b = new ResultBuffer(1, 60_000);
    b.add([obs(1)], [], 1);
    const first = b.take();
    b.add([obs(2)], [], 1);
    expect(first.observations.map((o) => o.port)).toEqual([1]);
    expect(b.take().observations.map((o) => o.port)).toEqual([2]);
  });
});
