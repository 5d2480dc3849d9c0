import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';

import { REPO_ROOT } from '../e2e/run-cli.js';

/**
 * PortQry's watch commands as its documentation writes them (`-local -wport N`, `-local -wpid PID`,
 * and without -local), through the built CLI, against a real listener in a process of its own: the
 * start summary names the process and the other ports it uses, then each change is one line.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A node process holding a TCP listener and a UDP socket on loopback; prints its ports. */
async function startListener(): Promise<{ child: ChildProcess; tcp: number; udp: number }> {
  const code = `
    const net = require('node:net'), dgram = require('node:dgram');
    const server = net.createServer((s) => s.on('end', () => s.end()));
    const udp = dgram.createSocket('udp4');
    udp.bind(0, '127.0.0.1', () => server.listen(0, '127.0.0.1', () =>
      console.log(JSON.stringify({ tcp: server.address().port, udp: udp.address().port }))));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise<{ tcp: number; udp: number }>((done, fail) => {
    child.stdout.once('data', (d: Buffer) => done(JSON.parse(d.toString()) as { tcp: number; udp: number }));
    child.once('exit', () => fail(new Error('listener exited')));
  });
  return { child, ...ports };
}

function watch(args: string[]) {
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'apps/cli/bin/fleetqry.js'), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('close', done));
  const until = async (re: RegExp) => {
    for (let i = 0; i < 300 && !re.test(out); i++) await sleep(50);
    if (!re.test(out)) throw new Error(`no ${re} in:\n${out}\n${err}`);
  };
  return { child, exited, until, output: () => out };
}

const dial = (port: number) =>
  new Promise<Socket>((done, fail) => {
    const c = connect(port, '127.0.0.1', () => done(c));
    c.once('error', fail);
  });

describe('watch mode: start summary, then changes', () => {
  let listener: Awaited<ReturnType<typeof startListener>>;
  beforeEach(async () => (listener = await startListener()));
  afterEach(() => void listener.child.kill('SIGKILL'));

  it.each([[['-local']], [[]]])(
    '%j -wport N: who holds the port and its other ports, then new and closed connections',
    async (prefix) => {
      const { child, tcp, udp } = listener;
      const w = watch([...prefix, '-wport', String(tcp), '-wt', '1']);
      try {
        await w.until(/Watch started: \d+ matching socket\(s\)\n/);
        const out = w.output();
        expect(out).toMatch(new RegExp(`^Watching port: ${tcp}\\n\\nChecking for changes every 1 second\\n`));
        expect(out).toContain(`Process ID: ${child.pid} (node)\n`);
        expect(out).toMatch(
          new RegExp(`^${child.pid} +TCP ${tcp} +127\\.0\\.0\\.1 +LISTENING +0\\.0\\.0\\.0:0$`, 'm'),
        );
        expect(out).toContain(`Other ports used by this process: UDP ${udp}\n`);
        const client = await dial(tcp);
        const cp = client.localPort!;
        await w.until(
          new RegExp(
            `Z  New  TCP 127\\.0\\.0\\.1:${tcp} 127\\.0\\.0\\.1:${cp}  ESTABLISHED  PID ${child.pid} \\(node\\)\\n`,
          ),
        );
        client.end();
        await w.until(new RegExp(`Z  Closed  TCP 127\\.0\\.0\\.1:${tcp} 127\\.0\\.0\\.1:${cp}  `));
        // the listener itself never changed: no line for it after the summary
        const after = w.output().slice(w.output().indexOf('Watch started'));
        expect(after).not.toMatch(new RegExp(`TCP 127\\.0\\.0\\.1:${tcp} 0\\.0\\.0\\.0:0`));
      } finally {
        w.child.kill('SIGINT');
      }
      expect(await w.exited).toBe(0);
    },
    60_000,
  );

  it('-local -wpid PID: the process and every socket it holds, then its changes until it exits', async () => {
    const { child, tcp, udp } = listener;
    const w = watch(['-local', '-wpid', String(child.pid), '-wt', '1']);
    try {
      await w.until(/Watch started: 2 matching socket\(s\)\n/);
      const out = w.output();
      expect(out).toMatch(new RegExp(`^Watching PID: ${child.pid}\\n`));
      expect(out).toContain(`Process ID: ${child.pid} (node)\n`);
      expect(out).toMatch(new RegExp(`^${child.pid} +TCP ${tcp} +127\\.0\\.0\\.1 +LISTENING`, 'm'));
      expect(out).toMatch(new RegExp(`^${child.pid} +UDP ${udp} +127\\.0\\.0\\.1 `, 'm'));
      const client = await dial(tcp);
      await w.until(
        new RegExp(`Z  New  TCP 127\\.0\\.0\\.1:${tcp} 127\\.0\\.0\\.1:${client.localPort}  ESTABLISHED`),
      );
      client.destroy();
      child.kill('SIGKILL');
      await w.until(new RegExp(`Process ID ${child.pid} has exited\\n`));
      // nothing left to follow: the watch ends by itself
      expect(await w.exited).toBe(0);
    } finally {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
    }
  }, 60_000);
});
