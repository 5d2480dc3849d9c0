import net from 'node:net';

import type { Observation } from '@fleetqry/contracts';
import { loadProbeNative } from '@fleetqry/probe-native';

import type { ProtocolPlugin } from '../protocols/plugin.js';
import { preconditionMet } from '../testing/lab-daemons.js';
import { collectEvents, portList, testScanOptions } from '../testing/scan-options.js';
import type { ProbeTarget } from './port-probe.js';
import { DEFAULT_LIMITS, scan, type ScanEvent, type ScanOptions } from './scanner.js';
import { createEngineContext } from './engine-context.js';
import { probeTcpState } from './tcp-probe.js';
import {
  cellStateResult,
  ipv4ToUint32,
  loadBatchEngine,
  tcpEngineName,
  tcpEngineStatus,
} from './tcp-engine.js';

// Everything here talks to in-process listeners on 127.0.0.1 only. The SYN engine needs the built
// addon and root/CAP_NET_RAW; without them the comparison is skipped (and `auto` must mean connect),
// except under FLEETQRY_REQUIRE_DAEMONS=1.
const syn = (await loadBatchEngine())?.kind === 'syn';
const d = preconditionMet('SYN engine', syn ? undefined : 'the SYN engine does not load (root + addon)')
  ? describe
  : describe.skip;

const LOCAL: ProbeTarget = { host: 'localhost-test', address: '127.0.0.1', family: 4 };

async function listen(): Promise<net.Server> {
  const s = net.createServer((c) => c.destroy());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

function byPort(events: ScanEvent[]): Map<string, Pick<Observation, 'state' | 'reason'>> {
  const m = new Map<string, Pick<Observation, 'state' | 'reason'>>();
  for (const e of events)
    if (e.type === 'observation') {
      const o = e.observation;
      m.set(`${o.address} ${o.proto}/${o.port}`, { state: o.state, reason: o.reason });
    }
  return m;
}

describe('tcp-engine helpers', () => {
  it('maps native codes to the connect path states and reasons', () => {
    expect(cellStateResult(1, 0.5)).toEqual({ state: 'LISTENING', reason: 'syn-ack', rttMs: 0.5 });
    expect(cellStateResult(2, NaN)).toEqual({ state: 'NOT LISTENING', reason: 'conn-refused' });
    expect(cellStateResult(3, NaN)).toEqual({ state: 'FILTERED', reason: 'timeout' });
    expect(cellStateResult(4, NaN)).toEqual({ state: 'FILTERED', reason: 'host-unreachable' });
    for (const undecided of [0, 5, 6]) expect(cellStateResult(undecided, NaN)).toBeUndefined();
    expect(ipv4ToUint32('127.30.0.1')).toBe(0x7f1e0001);
  });

  it('honours FLEETQRY_TCP_ENGINE=connect and the connect choice', async () => {
    expect(await tcpEngineName('connect')).toBe('connect');
    const before = process.env.FLEETQRY_TCP_ENGINE;
    process.env.FLEETQRY_TCP_ENGINE = 'connect';
    try {
      // connect() runs in the addon's batches when the addon is built (no privilege needed).
      const batched = loadProbeNative() !== undefined;
      expect((await loadBatchEngine())?.kind).toBe(batched ? 'connect' : undefined);
      expect(await tcpEngineStatus()).toEqual({
        engine: 'connect',
        batched,
        reason: 'chosen (FLEETQRY_TCP_ENGINE=connect)',
        fallback: false,
      });
    } finally {
      if (before === undefined) delete process.env.FLEETQRY_TCP_ENGINE;
      else process.env.FLEETQRY_TCP_ENGINE = before;
    }
  });
});

d('SYN engine against the connect path (127.0.0.1)', () => {
  let open: net.Server[];
  let closed: number[];
  beforeAll(async () => {
    open = await Promise.all(Array.from({ length: 4 }, listen));
    const gone = await Promise.all(Array.from({ length: 4 }, listen));
    closed = gone.map(portOf);
    await Promise.all(gone.map((s) => new Promise((r) => s.close(r))));
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => new Promise((r) => s.close(r))));
  });

  const run = (engine: 'auto' | 'connect', over: Partial<ScanOptions> = {}, targets = [LOCAL]) => {
    // Safety: loopback only (127.0.0.0/8, and ::1 for the IPv6 fallback case).
    for (const t of targets) expect(t.address.startsWith('127.') || t.address === '::1').toBe(true);
    return collectEvents(scan(targets, testScanOptions({ tcpEngine: engine, ...over })));
  };

  it('uses the SYN engine here', async () => {
    expect(await tcpEngineName()).toBe('syn');
    expect(await tcpEngineStatus()).toEqual({ engine: 'syn', batched: true, fallback: false });
  });

  it('gives the same states and reasons as connect(), batched and per socket, for open and closed ports', async () => {
    const ports = portList([...open.map(portOf), ...closed]);
    const viaSyn = byPort(await run('auto', { ports: { tcp: ports, udp: portList([]) } }));
    const viaConnect = byPort(await run('connect', { ports: { tcp: ports, udp: portList([]) } }));
    const ctx = createEngineContext(testScanOptions());
    const perSocket = new Map<string, Pick<Observation, 'state' | 'reason'>>();
    for (const port of ports) {
      const { state, reason } = await probeTcpState(ctx, LOCAL.address, 4, port);
      perSocket.set(`127.0.0.1 tcp/${port}`, { state, reason });
    }
    expect(viaSyn.size).toBe(8);
    expect(viaSyn).toEqual(viaConnect);
    expect(viaSyn).toEqual(perSocket);
    for (const p of open.map(portOf))
      expect(viaSyn.get(`127.0.0.1 tcp/${p}`)).toEqual({ state: 'LISTENING', reason: 'syn-ack' });
    for (const p of closed)
      expect(viaSyn.get(`127.0.0.1 tcp/${p}`)).toEqual({ state: 'NOT LISTENING', reason: 'conn-refused' });
  });

  it('leaves ports with a protocol query, IPv6 hosts and per-host exclusions to the other paths', async () => {
    const queried = portOf(open[0]!);
    const plugin = {
      name: 'fake',
      ports: { tcp: [queried], udp: [] },
      query: async () => ({ status: 'success', answered: true }),
      describe: () => [],
    } as unknown as ProtocolPlugin;
    const v6: ProbeTarget = { host: 'v6', address: '::1', family: 6 };
    const excluding: ProbeTarget = {
      host: 'ex',
      address: '127.0.0.1',
      family: 4,
      exclude: { tcp: [[closed[0]!, closed[0]!]], udp: [] },
    };
    const events = await run(
      'auto',
      {
        ports: { tcp: portList([queried, portOf(open[1]!), closed[0]!]), udp: portList([]) },
        pluginFor: (proto, port) => (proto === 'tcp' && port === queried ? plugin : undefined),
        scopeCheck: (a) => (a.startsWith('127.') || a === '::1' ? undefined : 'outside loopback'),
      },
      [excluding, v6],
    );
    const obs = events.flatMap((e) => (e.type === 'observation' ? [e.observation] : []));
    const ex = obs.filter((o) => o.host === 'ex');
    expect(ex.map((o) => o.port).sort()).toEqual([queried, portOf(open[1]!)].sort());
    expect(ex.find((o) => o.port === queried)?.protocol?.name).toBe('fake');
    const six = obs.filter((o) => o.host === 'v6');
    expect(six).toHaveLength(3); // nothing listens on ::1 here: connect() decides, refused
    expect(events.filter((e) => e.type === 'host-done')).toHaveLength(2);
  });

  it('keeps within the limits: concurrency 1 and a rate limit still decide every port', async () => {
    const ports = portList([...open.map(portOf), ...closed]);
    const t0 = performance.now();
    const viaSyn = byPort(
      await run('auto', {
        ports: { tcp: ports, udp: portList([]) },
        limits: { ...DEFAULT_LIMITS, concurrency: 1, perHost: 1, ratePerSecond: 40 },
      }),
    );
    // 8 SYNs at 3/4 of 40/s (burst 2 tokens): at least ~150 ms.
    expect(performance.now() - t0).toBeGreaterThan(120);
    expect(viaSyn.size).toBe(8);
  });

  it('honours a fixed source port and reports a taken one as SourcePortInUseError', async () => {
    const ports = portList([portOf(open[0]!), closed[0]!]);
    const free = closed[3]!;
    const viaSyn = byPort(await run('auto', { ports: { tcp: ports, udp: portList([]) }, sourcePort: free }));
    expect(viaSyn.get(`127.0.0.1 tcp/${portOf(open[0]!)}`)?.state).toBe('LISTENING');
    await expect(
      run('auto', { ports: { tcp: ports, udp: portList([]) }, sourcePort: portOf(open[1]!) }),
    ).rejects.toMatchObject({
      name: 'SourcePortInUseError',
    });
  });
});
