import type { LocalSnapshot, LocalSocket } from '@fleetqry/contracts';

import { portHolders } from './holders.js';
import { watchLocal, WatchDiffer } from './watch.js';

const sock = (over: Partial<LocalSocket>): LocalSocket => ({
  proto: 'tcp',
  family: 'ipv4',
  localAddress: '127.0.0.1',
  localPort: 5000,
  remoteAddress: '0.0.0.0',
  remotePort: 0,
  state: 'LISTENING',
  inode: 1,
  pid: 10,
  process: 'srv',
  ...over,
});
const listener = sock({});
const conn = sock({ remoteAddress: '127.0.0.1', remotePort: 40000, state: 'ESTABLISHED', inode: 2 });
const other = sock({ localPort: 6000, pid: 11, inode: 3 });
const at = '2026-01-01T00:00:00.000Z';

describe('WatchDiffer', () => {
  it('reports new connections, state changes and closes for a port', () => {
    const d = new WatchDiffer({ port: 5000 });
    expect(d.baseline([listener, other])).toEqual([listener]);
    expect(d.next([listener, other], at)).toEqual([]);
    expect(d.next([listener, conn, other], at)).toEqual([{ change: 'new', at, socket: conn }]);
    const closing = { ...conn, state: 'CLOSE_WAIT' as const };
    expect(d.next([listener, closing], at)).toEqual([
      { change: 'state', at, socket: closing, previousState: 'ESTABLISHED' },
    ]);
    expect(d.next([listener], at)).toEqual([{ change: 'closed', at, socket: closing }]);
    expect(d.next([], at).map((e) => e.change)).toEqual(['closed']);
  });

  it('matches a port on the remote side too (a client connecting out)', () => {
    const d = new WatchDiffer({ port: 5000 });
    d.baseline([]);
    const client = sock({
      localPort: 40000,
      remoteAddress: '127.0.0.1',
      remotePort: 5000,
      state: 'SYN_SENT',
    });
    expect(d.next([client], at).map((e) => e.change)).toEqual(['new']);
  });

  it('follows a watched PID connection into TIME_WAIT, keeping its owner', () => {
    const d = new WatchDiffer({ pid: 10 });
    d.baseline([conn, other]);
    const tw = { ...conn, state: 'TIME_WAIT' as const, inode: 0, pid: null, process: null };
    const [e] = d.next([tw, other], at);
    expect(e).toMatchObject({
      change: 'state',
      previousState: 'ESTABLISHED',
      socket: { pid: 10, process: 'srv' },
    });
    expect(d.next([tw], at)).toEqual([]);
    expect(d.next([], at)).toEqual([{ change: 'closed', at, socket: expect.objectContaining({ pid: 10 }) }]);
  });

  it('tells apart sockets sharing endpoints (SO_REUSEPORT)', () => {
    const d = new WatchDiffer({ port: 5000 });
    d.baseline([listener]);
    expect(d.next([listener, { ...listener, inode: 9, pid: 12 }], at)).toHaveLength(1);
  });
});

describe('watchLocal', () => {
  it('yields the baseline, then changes, and stops when aborted', async () => {
    const snaps: LocalSocket[][] = [[listener], [listener, conn], [listener]];
    let i = 0;
    const read = (): LocalSnapshot => ({
      host: 'h',
      takenAt: at,
      sockets: snaps[Math.min(i++, snaps.length - 1)]!,
      problems: [],
    });
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const tick of watchLocal({
      target: { port: 5000 },
      intervalMs: 5,
      signal: abort.signal,
      read,
    })) {
      seen.push(
        tick.baseline ? `baseline ${tick.sockets.length}` : tick.events.map((e) => e.change).join(','),
      );
      if (seen.length === 4) abort.abort();
    }
    expect(seen).toEqual(['baseline 1', 'new', 'closed', '']);
  });
});

describe('portHolders (the watch start summary)', () => {
  const web = sock({ localPort: 80, pid: 20, process: 'nginx', unit: 'nginx.service', inode: 5 });
  const web6 = sock({
    family: 'ipv6',
    localAddress: '::',
    localPort: 80,
    pid: 20,
    process: 'nginx',
    inode: 6,
  });
  const webTls = sock({ localPort: 443, pid: 20, process: 'nginx', inode: 7 });
  const webUdp = sock({ proto: 'udp', localPort: 5353, state: null, pid: 20, process: 'nginx', inode: 8 });
  const worker = sock({ localPort: 80, pid: 21, process: 'nginx', unit: 'nginx.service', inode: 5 });
  const client = sock({
    localPort: 40000,
    remotePort: 80,
    remoteAddress: '10.0.0.1',
    state: 'ESTABLISHED',
    pid: 30,
    process: 'curl',
    inode: 9,
  });

  it('names every process bound to the port, its unit, and the other ports it uses, once each', () => {
    const holders = portHolders({ port: 80 }, [client, webUdp, webTls, web6, web, worker, other]);
    expect(holders.map((h) => [h.pid, h.process, h.unit])).toEqual([
      [20, 'nginx', 'nginx.service'],
      [21, 'nginx', 'nginx.service'],
    ]);
    expect(holders[0]!.sockets).toEqual([web6, web]);
    expect(holders[0]!.otherPorts).toEqual([
      { proto: 'tcp', port: 443 },
      { proto: 'udp', port: 5353 },
    ]);
    expect(holders[1]!.otherPorts).toEqual([]);
  });

  it('for -wpid: the process and all its sockets', () => {
    const [h] = portHolders({ pid: 20 }, [client, web, webTls, webUdp]);
    expect(h!.sockets).toEqual([web, webTls, webUdp]);
    expect(portHolders({ pid: 99 }, [web])).toEqual([]);
  });

  it('the baseline tick carries the whole first snapshot', async () => {
    const snap: LocalSnapshot = { host: 'h', takenAt: at, sockets: [web, client], problems: [] };
    const abort = new AbortController();
    const ticks = watchLocal({
      target: { port: 80 },
      intervalMs: 10,
      signal: abort.signal,
      read: () => snap,
    });
    const first = (await ticks.next()).value!;
    abort.abort();
    expect(first.all).toEqual([web, client]);
    expect(first.sockets).toEqual([web, client]);
  });
});
