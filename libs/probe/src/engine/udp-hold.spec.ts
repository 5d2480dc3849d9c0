import dgram from 'node:dgram';

import type { Observation } from '@fleetqry/contracts';

import { testScanOptions } from '../testing/scan-options.js';
import { createEngineContext, type EngineContext } from './engine-context.js';
import { observe, type ProbeTarget } from './port-probe.js';
import type { StateResult } from './tcp-probe.js';
import { UdpRecheckHold } from './udp-hold.js';

// Real datagrams to sockets of this test on 127.0.0.1 only.
const LOCAL: ProbeTarget = { host: 'local', address: '127.0.0.1', family: 4 };
const SILENT: StateResult = { state: 'LISTENING or FILTERED', reason: 'no-response' };

async function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4'); // bound, never answers
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}
async function closedPort(): Promise<number> {
  const s = await bound();
  const { port } = s.address();
  await new Promise<void>((r) => s.close(r));
  return port;
}

const opts = testScanOptions();
const udp = (port: number, s: StateResult = SILENT): Observation => observe(opts, LOCAL, 'udp', port, s);

function hold(ctx: EngineContext, over: { refillMs?: number; budgetMs?: number; signal?: AbortSignal } = {}) {
  return new UdpRecheckHold<object>(ctx, { refillMs: 50, budgetMs: 2_000, perRound: 8, ...over });
}

describe('UdpRecheckHold', () => {
  let ctx: EngineContext;
  beforeEach(() => {
    ctx = createEngineContext(opts);
  });

  it('keeps only silent UDP observations, and none when rechecks are off', () => {
    const h = hold(ctx);
    const host = {};
    expect(h.keep(host, udp(1))).toBe(true);
    expect(h.keep(host, udp(2, { state: 'NOT LISTENING', reason: 'icmp-port-unreachable' }))).toBe(false);
    expect(h.keep(host, observe(opts, LOCAL, 'tcp', 3, { state: 'FILTERED', reason: 'timeout' }))).toBe(
      false,
    );
    expect(hold(ctx, { budgetMs: 0 }).keep(host, udp(1))).toBe(false);
  });

  it('lets nothing go for a host with nothing held', () => {
    const emitted: Observation[] = [];
    expect(hold(ctx).release({}, LOCAL, (o) => emitted.push(o))).toBeUndefined();
    expect(emitted).toEqual([]);
  });

  it('rechecks a host that never sent ICMP: a blind round finds its closed port, which becomes its canary', async () => {
    const silent = await bound();
    const closed = await closedPort();
    try {
      ctx.icmp.record('127.0.0.2', 7); // another host refused: this path delivers ICMP
      const h = hold(ctx);
      const host = {};
      const [a, b] = [udp(closed), udp(silent.address().port)];
      h.keep(host, a);
      h.keep(host, b);
      const emitted: Observation[] = [];
      await h.release(host, LOCAL, (o) => emitted.push(o));
      expect(emitted).toEqual([a, b]);
      expect(a).toMatchObject({ state: 'NOT LISTENING', reason: 'icmp-port-unreachable' });
      expect(ctx.icmp.canary(LOCAL.address)).toBe(closed);
      expect(b).toMatchObject({ state: 'LISTENING or FILTERED', reason: 'no-response' });
    } finally {
      await new Promise<void>((r) => silent.close(r));
    }
  });

  it('resends to a canary-less host as many blind rounds as the loss rule asks, once the scan has seen ICMP', async () => {
    const silent = await bound();
    let received = 0;
    silent.on('message', () => received++);
    try {
      ctx.icmp.record('127.0.0.2', 7); // another host refused: this path delivers ICMP
      const h = hold(ctx, { budgetMs: 30_000 });
      const host = {};
      const o = udp(silent.address().port);
      h.keep(host, o);
      await h.release(host, LOCAL, () => undefined);
      expect(received).toBe(ctx.loss.requiredAttempts());
      expect(o.state).toBe('LISTENING or FILTERED');
    } finally {
      await new Promise<void>((r) => silent.close(r));
    }
  });

  it('lets a host’s held ports go at once, unchanged, while no host of the scan has sent ICMP', () => {
    const h = hold(ctx);
    const host = {};
    const held = [udp(5), udp(6)];
    for (const o of held) h.keep(host, o);
    const emitted: Observation[] = [];
    expect(h.release(host, LOCAL, (o) => emitted.push(o))).toBeUndefined();
    expect(emitted).toEqual(held);
    expect(emitted.every((o) => o.state === 'LISTENING or FILTERED')).toBe(true);
    expect(h.release(host, LOCAL, (o) => emitted.push(o))).toBeUndefined(); // released once only
    expect(emitted).toHaveLength(2);
  });

  it('lets them go at once when the scan is aborted', () => {
    ctx.icmp.record(LOCAL.address, 9);
    const abort = new AbortController();
    abort.abort();
    const h = hold(ctx, { signal: abort.signal });
    const host = {};
    h.keep(host, udp(5));
    const emitted: Observation[] = [];
    expect(h.release(host, LOCAL, (o) => emitted.push(o))).toBeUndefined();
    expect(emitted).toHaveLength(1);
  });

  it('rechecks them on a host that sends ICMP, then lets them go: closed ports decided, silent ones stay', async () => {
    const silent = await bound();
    const [closed, canary] = [await closedPort(), await closedPort()];
    try {
      ctx.icmp.record(LOCAL.address, canary); // the host has refused a port: it sends ICMP
      const h = hold(ctx);
      const host = {};
      const a = udp(closed);
      const b = udp(silent.address().port);
      h.keep(host, a);
      h.keep(host, b);
      const emitted: Observation[] = [];
      const done = h.release(host, LOCAL, (o) => emitted.push(o));
      expect(done).toBeInstanceOf(Promise);
      expect(emitted).toEqual([]); // not before the recheck is over
      await done;
      expect(emitted).toEqual([a, b]);
      expect(a).toMatchObject({ state: 'NOT LISTENING', reason: 'icmp-port-unreachable' });
      expect(a.evidence).toMatch(/recheck/);
      expect(b).toMatchObject({ state: 'LISTENING or FILTERED', reason: 'no-response' });
    } finally {
      await new Promise<void>((r) => silent.close(r));
    }
  });

  it('holds each host apart', async () => {
    ctx.icmp.record('127.0.0.2', 7);
    const h = hold(ctx);
    const [x, y] = [{}, {}];
    const [p, q] = [await closedPort(), await closedPort()];
    h.keep(x, udp(p));
    h.keep(y, udp(q));
    const emitted: number[] = [];
    await h.release(y, LOCAL, (o) => emitted.push(o.port));
    expect(emitted).toEqual([q]);
    await h.release(x, LOCAL, (o) => emitted.push(o.port));
    expect(emitted).toEqual([q, p]);
  });
});
