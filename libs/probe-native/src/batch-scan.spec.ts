import { readdirSync } from 'node:fs';
import net from 'node:net';

import {
  CellState,
  ipv4ToUint32,
  loadProbeNative,
  type BatchScanRequest,
  type BatchScanResult,
} from './index.js';

// Packets go only to 127.0.0.1 (in-process listeners). Needs the built addon, and root/CAP_NET_RAW for
// synScan; otherwise that suite is skipped (the engine then uses what it can, whose own specs cover it).
const native = loadProbeNative();
const missing = native === undefined ? 'the addon is not built' : undefined;
const noRaw = missing ?? native!.rawSocketError();
// libs/probe's preconditionMet cannot be imported from here (probe depends on this package).
for (const problem of [missing, noRaw])
  if (problem !== undefined && process.env['FLEETQRY_REQUIRE_DAEMONS'] === '1')
    throw new Error(`probe-native: ${problem} (FLEETQRY_REQUIRE_DAEMONS=1: nothing may pass by skipping)`);

const LOOPBACK = ipv4ToUint32('127.0.0.1')!;

function inLoopback(targets: Uint32Array): boolean {
  return targets.every((t) => t >>> 24 === 127);
}

async function listen(): Promise<net.Server> {
  const s = net.createServer((c) => c.destroy());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

type Kind = 'synScan' | 'connectScan';
const kinds: [Kind, string | undefined][] = [
  ['synScan', noRaw],
  ['connectScan', missing],
];

describe.each(kinds)('%s (native, 127.0.0.1 only)', (kind, problem) => {
  const run = problem === undefined ? it : it.skip;
  let open: net.Server[];
  let closed: number[];
  beforeAll(async () => {
    open = await Promise.all([listen(), listen(), listen()]);
    const gone = await Promise.all([listen(), listen()]);
    closed = gone.map(portOf);
    await Promise.all(gone.map((s) => new Promise((r) => s.close(r))));
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => new Promise((r) => s.close(r))));
  });

  const call = (req: BatchScanRequest): Promise<BatchScanResult> => native![kind](req);
  const scan = (req: BatchScanRequest) => {
    expect(inLoopback(req.targets)).toBe(true);
    expect([...req.ports]).not.toContain(2024);
    return call(req);
  };

  run('reads listeners as LISTENING and closed ports as NOT LISTENING, with round trips', async () => {
    const ports = Uint16Array.from([...open.map(portOf), ...closed]);
    const r = await scan({ targets: Uint32Array.of(LOOPBACK), ports, timeoutMs: 200, attempts: 2 });
    expect([...r.states]).toEqual([1, 1, 1, 2, 2]);
    for (const rtt of r.rttMs) expect(rtt).toBeGreaterThanOrEqual(0);
    if (kind === 'synScan') expect(r.sourcePort).toBeGreaterThan(0);
    // Its loss evidence: every cell answered its first attempt.
    expect(r).toMatchObject({ answered: 5, retried: 0, late: 0, silent: 0, retransmitted: 0 });
  });

  run('takes the scan-wide loss evidence and bounds the adaptive attempts', async () => {
    const ports = Uint16Array.from([portOf(open[0]!), closed[0]!]);
    // Evidence of heavy loss from earlier batches: the attempts may rise to the ceiling, but answered
    // cells need none of them.
    const r = await scan({
      targets: Uint32Array.of(LOOPBACK),
      ports,
      attempts: 3,
      maxAttempts: 8,
      priorAnswered: 1000,
      priorRetried: 300,
    });
    expect([...r.states]).toEqual([1, 2]);
    expect(r.retransmitted).toBe(0);
    const bad = (extra: object) =>
      call({ targets: Uint32Array.of(LOOPBACK), ports: Uint16Array.of(1), ...extra });
    expect(() => bad({ attempts: 3, maxAttempts: 2 })).toThrow(/out of range/);
    expect(() => bad({ maxAttempts: 9 })).toThrow(/out of range/);
    expect(() => bad({ priorAnswered: 1, priorRetried: 2 })).toThrow(/out of range/);
  });

  run('honours the exclude mask and answers duplicate targets and ports consistently', async () => {
    const ports = Uint16Array.of(portOf(open[0]!), closed[0]!, portOf(open[0]!));
    const r = await scan({
      targets: Uint32Array.of(LOOPBACK, LOOPBACK),
      ports,
      exclude: Uint8Array.of(0, 1, 0, 0, 0, 0),
      timeoutMs: 200,
    });
    expect([...r.states]).toEqual([1, CellState.EXCLUDED, 1, 1, 2, 1]);
  });

  run('uses a fixed source port when asked (synScan), and rejects a taken one with EADDRINUSE', async () => {
    if (kind === 'connectScan') {
      // One connection at a time on a fixed port is the per-socket path's job.
      expect(() =>
        call({ targets: Uint32Array.of(LOOPBACK), ports: Uint16Array.of(1), sourcePort: 40000 }),
      ).toThrow(/connectScan: sourcePort is for synScan only/);
      return;
    }
    const busy = await listen();
    try {
      await expect(
        scan({
          targets: Uint32Array.of(LOOPBACK),
          ports: Uint16Array.of(closed[0]!),
          sourcePort: portOf(busy),
        }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  run('stops at the deadline with undecided cells UNPROBED, and on cancel', async () => {
    // 127.0.0.1 answers everything at once, so use a rate limit to keep the batch running.
    const ports = Uint16Array.from({ length: 200 }, (_, i) => 30000 + i);
    const r = await scan({ targets: Uint32Array.of(LOOPBACK), ports, ratePerSecond: 50, deadlineMs: 300 });
    const undecided = [...r.states].filter((s) => s === CellState.UNPROBED).length;
    expect(undecided).toBeGreaterThan(100);
    const cancel = new Int32Array(1);
    const p = scan({ targets: Uint32Array.of(LOOPBACK), ports, ratePerSecond: 50, cancel });
    setTimeout(() => Atomics.store(cancel, 0, 1), 50);
    await expect(p).rejects.toMatchObject({ code: 'ECANCELED' });
  });

  run('rejects bad arguments synchronously', () => {
    expect(() => call({ targets: new Uint32Array(0), ports: Uint16Array.of(1) })).toThrow(
      new RegExp(`${kind}: `),
    );
    expect(() => call({ targets: Uint32Array.of(LOOPBACK), ports: Uint16Array.of(1), attempts: 9 })).toThrow(
      /out of range/,
    );
    expect(() => call({ targets: [LOOPBACK] as unknown as Uint32Array, ports: Uint16Array.of(1) })).toThrow(
      new RegExp(`${kind}: `),
    );
  });
});

(missing === undefined ? describe : describe.skip)('connectScan: the sockets it leaves behind', () => {
  const fds = () => readdirSync('/proc/self/fd').length;

  it('aborts each accepted connection with RST and closes every socket by the end of the batch', async () => {
    const resets: string[] = [];
    const server = net.createServer((c) => {
      c.on('error', (e: NodeJS.ErrnoException) => resets.push(e.code ?? 'error'));
      c.on('close', () => resets.length || resets.push('closed without reset'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const before = fds();
      // A rate limit and a deadline leave cells undecided: their sockets must close too.
      const ports = Uint16Array.from([portOf(server), ...Array.from({ length: 200 }, (_, i) => 31000 + i)]);
      const r = await native!.connectScan({
        targets: Uint32Array.of(LOOPBACK),
        ports,
        ratePerSecond: 100,
        deadlineMs: 400,
      });
      expect(r.states[0]).toBe(CellState.LISTENING);
      expect([...r.states].filter((s) => s === CellState.UNPROBED).length).toBeGreaterThan(100);
      expect(fds()).toBe(before);
      await new Promise((r) => setTimeout(r, 100));
      expect(resets).toEqual(['ECONNRESET']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
