import net from 'node:net';
import { availableParallelism } from 'node:os';

import type { Observation } from '@fleetqry/contracts';
import {
  CellState,
  loadProbeNative,
  type BatchScanRequest,
  type BatchScanResult,
} from '@fleetqry/probe-native';

import type { ProtocolPlugin } from '../protocols/plugin.js';
import { preconditionMet } from '../testing/lab-daemons.js';
import { portList, testScanOptions } from '../testing/scan-options.js';
import { createEngineContext, type EngineContext } from './engine-context.js';
import type { ProbeTarget } from './port-probe.js';
import type { ScanOptions } from './scanner.js';
import { NativeBatcher, type NativeBatcherOptions } from './native-batcher.js';
import { ipv4ToUint32, type BatchEngine } from './tcp-engine.js';

/**
 * The batcher's bookkeeping against a stand-in engine whose answers the test chooses (which cells
 * come back decided, undecided, or the whole batch failing); the native engine itself, against real
 * listeners, is the last case here and tcp-engine.spec.ts.
 */
class StandIn implements BatchEngine {
  constructor(readonly kind: BatchEngine['kind'] = 'syn') {}
  readonly requests: BatchScanRequest[] = [];
  private readonly pending: { resolve: (r: BatchScanResult) => void; reject: (e: Error) => void }[] = [];
  scan(req: BatchScanRequest): Promise<BatchScanResult> {
    this.requests.push(req);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  /** Answers the oldest open batch: `state(targetIndex, port)` per cell. */
  answer(state: (t: number, port: number) => number, stats: Partial<BatchScanResult> = {}): void {
    const req = this.requests[this.requests.length - this.pending.length]!;
    const np = req.ports.length;
    const states = new Uint8Array(req.targets.length * np);
    const rttMs = new Float32Array(states.length).fill(NaN);
    for (let t = 0; t < req.targets.length; t++)
      for (let k = 0; k < np; k++)
        states[t * np + k] = req.exclude?.[t * np + k] ? CellState.EXCLUDED : state(t, req.ports[k]!);
    this.pending.shift()!.resolve({
      states,
      rttMs,
      sourcePort: 40000,
      sent: 0,
      retransmitted: 0,
      received: 0,
      rejected: 0,
      answered: 0,
      retried: 0,
      late: 0,
      silent: 0,
      ...stats,
    });
  }
  fail(): void {
    this.pending.shift()!.reject(Object.assign(new Error('EPERM'), { code: 'EPERM' }));
  }
}

interface Host {
  target: ProbeTarget;
}
const host = (n: number, exclude?: ProbeTarget['exclude']): Host => ({
  target: { host: `h${n}`, address: `127.0.5.${n}`, family: 4, exclude },
});
// The native engine loads as root with the addon built (required under FLEETQRY_REQUIRE_DAEMONS=1).
const realEngine = preconditionMet(
  'native engine',
  loadProbeNative() ? undefined : 'the native addon does not load',
);
const flush = () => new Promise((r) => setImmediate(r));

function setup(
  over: Partial<ScanOptions & NativeBatcherOptions> = {},
  tcp = [21, 22, 23],
  kind: BatchEngine['kind'] = 'syn',
) {
  const opts = { ...testScanOptions({ ports: { tcp: portList(tcp), udp: portList([]) } }), ...over };
  const ctx: EngineContext = createEngineContext(opts);
  const native = new StandIn(kind);
  const observations: Observation[] = [];
  const settled: [string, number[]][] = [];
  let batchesDone = 0;
  const batcher: NativeBatcher<Host> = new NativeBatcher(native, Uint16Array.from(tcp), ctx, opts, {
    observation: (o) => observations.push(o),
    hostSettled: (h, leftover) => settled.push([h.target.host, leftover]),
    batchDone: () => {
      batchesDone++;
      batcher.launch();
    },
  });
  return { batcher, native, ctx, observations, settled, batchesDone: () => batchesDone };
}

describe('NativeBatcher', () => {
  it('batches queued hosts by cells, one batch at a time, and reports every decided cell', async () => {
    const { batcher, native, observations, settled, batchesDone } = setup({ batchCells: 6 });
    for (let n = 1; n <= 5; n++) batcher.enqueue(host(n));
    batcher.launch();
    batcher.launch(); // a second call while a batch runs starts nothing
    expect(native.requests).toHaveLength(1);
    expect([...native.requests[0]!.targets]).toEqual([1, 2].map((n) => ipv4ToUint32(`127.0.5.${n}`)));
    expect([...native.requests[0]!.ports]).toEqual([21, 22, 23]);

    native.answer((_t, port) => (port === 22 ? CellState.LISTENING : CellState.NOT_LISTENING));
    await flush();
    expect(batchesDone()).toBe(1);
    expect(settled).toEqual([
      ['h1', []],
      ['h2', []],
    ]);
    expect(observations.map((o) => `${o.host} ${o.port} ${o.state}`)).toEqual([
      'h1 21 NOT LISTENING',
      'h1 22 LISTENING',
      'h1 23 NOT LISTENING',
      'h2 21 NOT LISTENING',
      'h2 22 LISTENING',
      'h2 23 NOT LISTENING',
    ]);
    expect(native.requests).toHaveLength(2); // the next batch started once the first was done
    native.answer(() => CellState.FILTERED);
    await flush();
    native.answer(() => CellState.FILTERED);
    await flush();
    expect(native.requests.map((r) => r.targets.length)).toEqual([2, 2, 1]);
    expect(settled.map(([h]) => h)).toEqual(['h1', 'h2', 'h3', 'h4', 'h5']);
    expect(batchesDone()).toBe(3);
  });

  it('runs connect() batches one per core, dealing the queued hosts evenly and splitting the share', () => {
    // FLEETQRY_BATCHES (a measurement override) must not decide this case.
    const before = process.env.FLEETQRY_BATCHES;
    delete process.env.FLEETQRY_BATCHES;
    try {
      const cores = Math.min(availableParallelism(), 4);
      const { batcher, native } = setup({}, [21, 22, 23], 'connect');
      for (let n = 1; n <= 5 * cores; n++) batcher.enqueue(host(n));
      batcher.launch();
      expect(native.requests.map((r) => r.targets.length)).toEqual(Array<number>(cores).fill(5));
      expect(native.requests[0]!.concurrency).toBe(Math.floor(batcher.concurrency / cores));
      // SYN batches, by default, one at a time.
      const syn = setup({}, [21, 22, 23], 'syn');
      for (let n = 1; n <= 5; n++) syn.batcher.enqueue(host(n));
      syn.batcher.launch();
      expect(syn.native.requests.map((r) => r.targets.length)).toEqual([5]);
    } finally {
      if (before !== undefined) process.env.FLEETQRY_BATCHES = before;
    }
  });

  it('hands undecided cells back for connect(), and never reports a host’s excluded ports', async () => {
    const { batcher, native, observations, settled } = setup();
    batcher.enqueue(host(1, { tcp: [[23, 23]], udp: [] }));
    batcher.enqueue(host(2));
    batcher.launch();
    expect([...native.requests[0]!.exclude!]).toEqual([0, 0, 1, 0, 0, 0]);
    native.answer((t, port) =>
      port === 21 ? CellState.UNPROBED : t === 1 && port === 22 ? CellState.ERROR : CellState.LISTENING,
    );
    await flush();
    expect(settled).toEqual([
      ['h1', [21]],
      ['h2', [21, 22]],
    ]);
    expect(observations.map((o) => `${o.host} ${o.port}`)).toEqual(['h1 22', 'h2 23']);
  });

  it('turns itself off when a batch fails: every port of its hosts and of queued hosts goes to connect()', async () => {
    const { batcher, native, settled, observations } = setup({ batchCells: 3 });
    batcher.enqueue(host(1, { tcp: [[22, 22]], udp: [] }));
    batcher.enqueue(host(2));
    expect(batcher.accepts(host(3).target)).toBe(true);
    batcher.launch();
    native.fail();
    await flush();
    expect(settled).toEqual([
      ['h1', [21, 23]],
      ['h2', [21, 22, 23]],
    ]);
    expect(observations).toEqual([]);
    expect(native.requests).toHaveLength(1); // the queued host was not sent to the failed engine
    expect(batcher.accepts(host(3).target)).toBe(false);
  });

  it('takes only IPv4 addresses', () => {
    const { batcher } = setup();
    expect(batcher.accepts({ host: 'v6', address: '::1', family: 6 })).toBe(false);
    expect(batcher.accepts({ host: 'v4', address: '127.0.0.1', family: 4 })).toBe(true);
  });

  it('borrows its share of the limits only while a batch runs', async () => {
    const limits = { concurrency: 100, perHost: 10, ratePerSecond: 1000, hostGroupSize: 8 };
    const { batcher, native, ctx } = setup({ limits });
    // Only TCP ports, all of them batched: 3/4 of each limit.
    expect([batcher.concurrency, batcher.perHost]).toEqual([75, 7]);
    expect(batcher.reserved).toBe(0);
    batcher.enqueue(host(1));
    batcher.launch();
    expect(batcher.reserved).toBe(75);
    expect(ctx.rate.share).toBe(0.25);
    expect(native.requests[0]).toMatchObject({ concurrency: 75, perHost: 7, ratePerSecond: 750 });
    native.answer(() => CellState.FILTERED, { answered: 4, retried: 1, retransmitted: 6, silent: 2 });
    await flush();
    expect(batcher.reserved).toBe(0);
    expect(ctx.rate.share).toBe(1);
    // The batch's loss evidence joins the scan's.
    expect(ctx.loss.quality()).toEqual({ retransmissions: 6, recovered: 1, undecided: 2 });
  });

  it('leaves half of each limit to connect() and datagram probes when the scan has them', () => {
    const limits = { concurrency: 100, perHost: 10, ratePerSecond: 0, hostGroupSize: 8 };
    const { batcher } = setup({ limits, ports: { tcp: portList([21, 22, 23]), udp: portList([53]) } });
    expect([batcher.concurrency, batcher.perHost]).toEqual([50, 5]);
  });

  it('cancels running batches and drops queued hosts on close', () => {
    const { batcher, native } = setup({ batchCells: 3 });
    batcher.enqueue(host(1));
    batcher.enqueue(host(2));
    batcher.launch();
    const cancel = native.requests[0]!.cancel!;
    expect(Atomics.load(cancel, 0)).toBe(0);
    batcher.close();
    expect(Atomics.load(cancel, 0)).toBe(1);
    native.fail(); // the engine rejects a cancelled batch (ECANCELED)
    expect(native.requests).toHaveLength(1);
  });

  it('cancels a running batch when the scan is aborted', () => {
    const abort = new AbortController();
    const { batcher, native } = setup({ signal: abort.signal });
    batcher.enqueue(host(1));
    batcher.launch();
    abort.abort();
    expect(Atomics.load(native.requests[0]!.cancel!, 0)).toBe(1);
  });

  describe('open', () => {
    const sink = { observation: () => undefined, hostSettled: () => undefined, batchDone: () => undefined };
    const opts = (over: Partial<ScanOptions> = {}) =>
      testScanOptions({ ports: { tcp: portList([21, 80]), udp: portList([]) }, ...over });

    it('is off for connect() on a fixed source port, for attempts the native scan cannot do, and without batchable ports', async () => {
      const of = (o: ScanOptions) => NativeBatcher.open(createEngineContext(o), o, sink);
      expect(await of(opts({ tcpEngine: 'connect', sourcePort: 40000 }))).toBeUndefined();
      expect(await of(opts({ tcpAttempts: 0 }))).toBeUndefined();
      expect(await of(opts({ tcpAttempts: 9 }))).toBeUndefined();
      const http = { name: 'http' } as ProtocolPlugin;
      expect(await of(opts({ pluginFor: () => http }))).toBeUndefined();
    });

    // `auto` means SYN batches only where raw sockets are allowed (root here, required under REQUIRE_DAEMONS).
    const rawOk = loadProbeNative()?.rawSocketError() === undefined;
    (realEngine ? it.each : it.skip.each)([
      ...(rawOk ? [['auto', 'syn'] as const] : []),
      ['connect', 'connect'] as const,
    ])(
      'takes the ports without a protocol query, and decides them natively (%s: %s batches)',
      async (tcpEngine, kind) => {
        // The real engine against a listener and a closed port of this test on 127.0.0.1.
        const server = net.createServer((c) => c.destroy());
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const open = (server.address() as net.AddressInfo).port;
        const closed = await new Promise<number>((r) => {
          const s = net.createServer().listen(0, '127.0.0.1', () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => r(port));
          });
        });
        try {
          const http = { name: 'http' } as ProtocolPlugin;
          const o = opts({
            tcpEngine,
            ports: { tcp: portList([open, closed, 80]), udp: portList([]) },
            pluginFor: (_p, port) => (port === 80 ? http : undefined),
          });
          const observations: Observation[] = [];
          let done!: () => void;
          const finished = new Promise<void>((r) => (done = r));
          const b = await NativeBatcher.open<Host>(createEngineContext(o), o, {
            observation: (x) => observations.push(x),
            hostSettled: () => undefined,
            batchDone: done,
          });
          expect(b?.kind).toBe(kind);
          expect([b!.mask[open], b!.mask[closed], b!.mask[80]]).toEqual([1, 1, 0]);
          b!.enqueue({ target: { host: 'local', address: '127.0.0.1', family: 4 } });
          b!.launch();
          await finished;
          expect(observations.map((x) => [x.port, x.state])).toEqual([
            [open, 'LISTENING'],
            [closed, 'NOT LISTENING'],
          ]);
        } finally {
          await new Promise((r) => server.close(r));
        }
      },
    );
  });
});
