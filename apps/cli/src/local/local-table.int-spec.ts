import { connect, createServer, type Server, type Socket } from 'node:net';

import { readLocalSnapshot } from '@fleetqry/local';

import { renderLocal } from './local-report.js';
import { runWatch } from './watch-run.js';

/** This process's own sockets (127.0.0.1, random ports), as the -local table and the watch lines show them. */
async function listen(): Promise<{ server: Server; port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = createServer((s) => {
    accepted.push(s);
    s.on('end', () => s.end());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as { port: number }).port, accepted };
}
const dial = (port: number) =>
  new Promise<Socket>((done, fail) => {
    const c = connect(port, '127.0.0.1', () => done(c));
    c.once('error', fail);
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('-local table and watch lines for real sockets', () => {
  it('lists the listener and both ends of a connection under this PID and name', async () => {
    const { server, port, accepted } = await listen();
    const client = await dial(port);
    // until accept() runs, the server side sits in the accept queue with no file (inode 0, no owner)
    for (let i = 0; i < 100 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    try {
      const text = renderLocal(readLocalSnapshot(), false).join('\n');
      const block = text.slice(text.indexOf(`Process ID: ${process.pid} (node)\n`));
      expect(block.startsWith(`Process ID: ${process.pid} (node)`)).toBe(true);
      const mine = block.slice(0, block.indexOf('\n\nProcess ID') >>> 0 || undefined);
      const row = (local: number, state: string, rem: string) =>
        new RegExp(
          `\\n${process.pid} +TCP ${local} +127\\.0\\.0\\.1 +${state} +${rem.replace(/\./g, '\\.')}(\\n|$)`,
        );
      expect(mine).toMatch(row(port, 'LISTENING', '0.0.0.0:0'));
      expect(mine).toMatch(row(port, 'ESTABLISHED', `127.0.0.1:${client.localPort}`));
      expect(mine).toMatch(row(client.localPort!, 'ESTABLISHED', `127.0.0.1:${port}`));
      expect(text).toMatch(
        /Port Statistics\n\nTCP mappings: \d+\nUDP mappings: \d+\n\n(TCP ports in a [A-Z_0-9]+ state: +\d+ = \d+\.\d\d%\n)+/,
      );
    } finally {
      client.destroy();
      accepted.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });

  it('prints timestamped lines for a new connection, its state changes and its close', async () => {
    const { server, port } = await listen();
    const abort = new AbortController();
    let out = '';
    const watching = runWatch({
      target: { port },
      intervalMs: 100,
      signal: abort.signal,
      write: (t) => (out += t),
    });
    const until = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(out); i++) await sleep(30);
      expect(out).toMatch(re);
    };
    try {
      await until(/Watch started: 1 matching socket\(s\)\n/);
      const client = await dial(port);
      const cp = client.localPort!;
      const ts = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
      const owner = `PID ${process.pid} \\(node\\)`;
      await until(
        new RegExp(`${ts}  New  TCP 127\\.0\\.0\\.1:${cp} 127\\.0\\.0\\.1:${port}  ESTABLISHED  ${owner}\\n`),
      );
      await until(
        // the server side may be caught in the accept queue, before it has an owner
        new RegExp(`${ts}  New  TCP 127\\.0\\.0\\.1:${port} 127\\.0\\.0\\.1:${cp}  ESTABLISHED  `),
      );
      client.end(); // the client closes first, so its side ends in TIME_WAIT
      await until(
        new RegExp(
          `${ts}  State change  TCP 127\\.0\\.0\\.1:${cp} 127\\.0\\.0\\.1:${port}  [A-Z_0-9]+ -> TIME_WAIT  ${owner}\\n`,
        ),
      );
      await until(new RegExp(`${ts}  Closed  TCP 127\\.0\\.0\\.1:${port} 127\\.0\\.0\\.1:${cp}  `));
      await new Promise((r) => server.close(r));
      await until(
        new RegExp(`${ts}  Closed  TCP 127\\.0\\.0\\.1:${port} 0\\.0\\.0\\.0:0  LISTENING  ${owner}\\n`),
      );
    } finally {
      abort.abort();
      await watching;
      server.close();
    }
    expect(out).toMatch(/Watch stopped\n$/);
    expect(out).not.toMatch(/New .*:2024 /);
  });
});
