import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { LocalSnapshotSchema } from '@fleetqry/contracts';

import { REPO_ROOT, runCli } from '../e2e/run-cli.js';

/** The built CLI (`npm run build` first) in local mode, against sockets this test process owns. */
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

let server: Server;
let port: number;
let accepted: Socket[];
beforeAll(async () => ({ server, port, accepted } = await listen()));
afterAll(async () => {
  accepted.forEach((s) => s.destroy());
  await new Promise((r) => server.close(r));
});

describe('fleetqry -local / local / watch (built CLI)', () => {
  it('-local lists this test process listener under its PID, then Port Statistics; -l writes the log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-local-'));
    const log = join(dir, 'local.log');
    const r = await runCli(['-local', '-l', log]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `Process ID: ${process.pid} \\(node\\)\\n\\nPID .*\\n(.*\\n)*?${process.pid} +TCP ${port} +127\\.0\\.0\\.1 +LISTENING +0\\.0\\.0\\.0:0\\n`,
      ),
    );
    expect(r.stdout).toMatch(/Port Statistics\n\nTCP mappings: \d+\nUDP mappings: \d+\n/);
    const written = readFileSync(log, 'utf8');
    expect(written).toMatch(
      /^PortQry Version 2\.0 Log File \(fleetqry\)\n[\s\S]*Command run:\n fleetqry -local -l /,
    );
    expect(written).toContain(`${process.pid} `);
    expect(written.endsWith('======== end of log file ========\n')).toBe(true);
    const again = await runCli(['-local', '-l', log]);
    expect(again.code).toBe(64);
  });

  it('local --format json prints one schema-valid record per socket', async () => {
    const r = await runCli(['local', '--format', 'json']);
    expect(r.code).toBe(0);
    const snap = LocalSnapshotSchema.parse(JSON.parse(r.stdout));
    expect(snap.sockets).toContainEqual(
      expect.objectContaining({
        pid: process.pid,
        process: 'node',
        proto: 'tcp',
        localAddress: '127.0.0.1',
        localPort: port,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 'LISTENING',
      }),
    );
  });

  it('local --format csv has the header and a row for the listener', async () => {
    const r = await runCli(['local', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^pid,process,proto,family,localAddress,localPort,remoteAddress,remotePort,state,/,
    );
    expect(r.stdout).toContain(`\n${process.pid},node,tcp,ipv4,127.0.0.1,${port},0.0.0.0,0,LISTENING,`);
  });

  it.each([
    [['-wt', '5'], '-wt: only valid together with -wport or -wpid'],
    [['-local', '-wt', '5'], '-wt: only valid together with -wport or -wpid'],
    [['-wport', '80', '-wt', '0'], '-wt: "0" is not a number of seconds from 1 to 1200'],
    [['-wport', '80', '-wt', '1201'], '-wt: "1201" is not a number of seconds from 1 to 1200'],
    [['-wport', '80', '-wt', 'ten'], '-wt: "ten" is not a number of seconds from 1 to 1200'],
    [['-wpid', '80', '-wt'], '-wt: a value is required'],
  ])('rejects %j with exit 64 and one line', async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(64);
    expect(r.stderr).toBe(`fleetqry: ${message}\n`);
    expect(r.stdout).toBe('');
  });

  it('-wport prints only timestamped changes and stops cleanly on SIGINT with a complete log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-watch-'));
    const log = join(dir, 'watch.log');
    const child = spawn(
      process.execPath,
      [resolve(REPO_ROOT, 'apps/cli/bin/fleetqry.js'), '-wport', String(port), '-wt', '1', '-l', log],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((done) => child.on('close', done));
    const until = async (re: RegExp) => {
      for (let i = 0; i < 150 && !re.test(out); i++) await sleep(50);
      expect(out).toMatch(re);
    };
    try {
      await until(/Watch started: 1 matching socket\(s\)\n/);
      const client = await dial(port);
      const cp = client.localPort!;
      await until(
        new RegExp(
          `Z  New  TCP 127\\.0\\.0\\.1:${cp} 127\\.0\\.0\\.1:${port}  ESTABLISHED  PID ${process.pid} \\(node\\)\\n`,
        ),
      );
      client.end();
      await until(new RegExp(`Z  Closed  TCP 127\\.0\\.0\\.1:${port} 127\\.0\\.0\\.1:${cp}  `));
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/Watch stopped\n$/);
    // only changes: no line for the unchanged listener after the start
    expect(out).not.toMatch(
      new RegExp(`(New|Closed|State change)  TCP 127\\.0\\.0\\.1:${port} 0\\.0\\.0\\.0:0`),
    );
    const written = readFileSync(log, 'utf8');
    expect(written).toContain(out);
    expect(written.endsWith(`Watch stopped\n\n======== end of log file ========\n`)).toBe(true);
  });
});
