import type { LocalSnapshot, LocalSocket } from '@fleetqry/contracts';

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
