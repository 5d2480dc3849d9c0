import { createServer, connect, type Server, type Socket } from 'node:net';

import type { LocalWatchEvent } from '@fleetqry/contracts';

import { readLocalSnapshot } from './snapshot.js';
import { watchLocal } from './watch.js';

/** Real sockets on 127.0.0.1 (random ports) read back from this machine's /proc. */
function listen(): Promise<{ server: Server; port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = createServer((s) => accepted.push(s));
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({ server, port: (server.address() as { port: number }).port, accepted }),
    ),
  );
}
function dial(port: number): Promise<Socket> {
  return new Promise((done, fail) => {
    const c = connect(port, '127.0.0.1', () => done(c));
    c.once('error', fail);
  });
}
const close = (server: Server) => new Promise((done) => server.close(done));

describe('local sockets of this process', () => {
  it('shows a listener and both ends of a connection under this PID, with their states', async () => {
    const { server, port, accepted } = await listen();
    const client = await dial(port);
    // until accept() runs, the server side sits in the accept queue with no file (inode 0, no owner)
    for (let i = 0; i < 100 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    try {
      const snap = readLocalSnapshot({ verbose: true });
      const mine = snap.sockets.filter((s) => s.localPort === port || s.remotePort === port);
      const clientPort = client.localPort!;
      expect(mine).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            proto: 'tcp',
            localAddress: '127.0.0.1',
            localPort: port,
            state: 'LISTENING',
            pid: process.pid,
          }),
          expect.objectContaining({
            localPort: port,
            remotePort: clientPort,
            state: 'ESTABLISHED',
            pid: process.pid,
          }),
          expect.objectContaining({
            localPort: clientPort,
            remotePort: port,
            state: 'ESTABLISHED',
            pid: process.pid,
          }),
        ]),
      );
      const listener = mine.find((s) => s.state === 'LISTENING')!;
      expect(listener.process).toBe('node');
      expect(listener.cmdline).toContain('node');
      expect(listener.modules?.length).toBeGreaterThan(0);
      expect(listener.notes).toBeUndefined();
    } finally {
      client.destroy();
      accepted.forEach((s) => s.destroy());
      await close(server);
    }
  });

  it('watches a port: new connections, state changes and closes', async () => {
    const { server, port, accepted } = await listen();
    const abort = new AbortController();
    const events: LocalWatchEvent[] = [];
    const ticks = watchLocal({ target: { port }, intervalMs: 50, signal: abort.signal });
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(pred()).toBe(true);
    };
    const loop = (async () => {
      for await (const t of ticks) events.push(...t.events);
    })();
    try {
      await new Promise((r) => setTimeout(r, 80)); // baseline taken: the listener only
      const client = await dial(port);
      const clientPort = client.localPort!;
      await waitFor(() => events.filter((e) => e.change === 'new').length >= 2);
      // the client side has its owner at once (the server side may be caught in the accept queue)
      expect(events.find((e) => e.socket.localPort === clientPort)?.socket.pid).toBe(process.pid);
      // the client closes first: its side goes to TIME_WAIT (a state change), the server side closes
      client.end();
      await waitFor(() => accepted.length === 1 && accepted[0]!.readableEnded);
      accepted[0]!.end();
      await waitFor(() =>
        events.some(
          (e) => e.change === 'state' && e.socket.localPort === clientPort && e.socket.state === 'TIME_WAIT',
        ),
      );
      await waitFor(() => events.some((e) => e.change === 'closed' && e.socket.remotePort === clientPort));
      expect(events.find((e) => e.change === 'state' && e.socket.state === 'TIME_WAIT')?.socket.pid).toBe(
        process.pid,
      );
      await close(server);
      await waitFor(() => events.some((e) => e.change === 'closed' && e.socket.state === 'LISTENING'));
    } finally {
      abort.abort();
      await loop;
      server.close();
    }
  });
});
