/**
 * Several worker processes on one host, and start-up failures: the built worker (apps/worker/dist/main.js)
 * as real processes against the machine's Redis. Two workers given the same port range both come up, each
 * on its own port (logged); a worker whose only port is taken, or whose configuration is bad, exits with
 * one line naming the variable and no stack trace. Each worker logs the TCP engine it scans with, and why it
 * falls back to connect().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const WORKER_MAIN = join(REPO_ROOT, 'apps/worker/dist/main.js');
const workerToken = randomBytes(32).toString('hex');
const prefix = `startup-${randomBytes(4).toString('hex')}`;

interface Proc {
  child: ChildProcess;
  text: () => string;
  exited: Promise<number | null>;
}

/** `user`: run under another uid/gid; `wrapper`: a command the worker runs under (e.g. setpriv). */
function startWorker(
  env: Record<string, string>,
  user?: { uid: number; gid: number },
  wrapper: string[] = [],
): Proc {
  const [command, ...args] = [...wrapper, process.execPath, WORKER_MAIN];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    ...user,
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: 'redis://127.0.0.1:6379',
      FLEETQRY_QUEUE_PREFIX: prefix,
      // Never contacted: no job is queued under this prefix.
      FLEETQRY_CONTROLLER_URL: 'http://127.0.0.1:9',
      FLEETQRY_WORKER_TOKEN: workerToken,
      FLEETQRY_JOB_KEY: randomBytes(32).toString('base64'),
      FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
      FLEETQRY_WORKER_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => chunks.push(d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => chunks.push(d));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { child, text: () => chunks.join(''), exited };
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(timer);
}

/** Holds a port so nobody else can bind it; a few free ports above it are the range under test. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

const listeningPort = (text: string) =>
  Number(/health and metrics listening on port (\d+)/.exec(text)?.[1] ?? Number.NaN);

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);

describe('several workers on one host', () => {
  const procs: Proc[] = [];
  let held: { server: Server; port: number };

  beforeAll(async () => {
    held = await holdPort();
  });
  afterAll(async () => {
    await Promise.all(procs.map(stop));
    held.server.close();
  });

  test('two workers given one range (its first port taken) both start, each on its own free port, logged', async () => {
    const range = `${held.port}-${held.port + 20}`;
    const a = startWorker({ FLEETQRY_WORKER_PORT: range });
    procs.push(a);
    await until('worker a ready', () => a.text().includes('worker ready') || a.child.exitCode !== null);
    const b = startWorker({ FLEETQRY_WORKER_PORT: range });
    procs.push(b);
    await until('worker b ready', () => b.text().includes('worker ready') || b.child.exitCode !== null);
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
    const [pa, pb] = [listeningPort(a.text()), listeningPort(b.text())];
    expect(pa).toBeGreaterThan(held.port);
    expect(pb).toBeGreaterThan(held.port);
    expect(pa).not.toBe(pb);
    for (const port of [pa, pb]) {
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
    }
    // What Prometheus scrapes passes Prometheus's own checker.
    const metrics = await (await fetch(`http://127.0.0.1:${pa}/metrics`)).text();
    expect(metrics).toMatch(/^fleetqry_build_info\{app="worker",version="[^"]+"\} 1$/m);
    expect(metrics).toMatch(/^fleetqry_worker_chunk_duration_seconds_count 0$/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  }, 120_000);

  test('a taken single port: exit 78, one line naming FLEETQRY_WORKER_PORT, no stack trace', async () => {
    const w = startWorker({ FLEETQRY_WORKER_PORT: String(held.port) });
    const code = await w.exited;
    expect(code).toBe(78);
    const errors = w
      .text()
      .split('\n')
      .filter((l) => l.startsWith('fleetqry worker:'));
    expect(errors).toEqual([
      expect.stringMatching(/^fleetqry worker: FLEETQRY_WORKER_PORT: port \d+ is in use/),
    ]);
    noStackTrace(w.text());
  }, 60_000);

  test('secrets given as <NAME>_FILE files (compose secrets) start a worker like the variables do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-worker-secrets-'));
    try {
      const file = (name: string, value: string) => {
        writeFileSync(join(dir, name), `${value}\n`);
        return join(dir, name);
      };
      const w = startWorker({
        FLEETQRY_WORKER_PORT: '0',
        REDIS_URL: '',
        FLEETQRY_WORKER_TOKEN: '',
        FLEETQRY_JOB_KEY: '',
        REDIS_URL_FILE: file('redis_url', 'redis://127.0.0.1:6379'),
        FLEETQRY_WORKER_TOKEN_FILE: file('worker_token', workerToken),
        FLEETQRY_JOB_KEY_FILE: file('job_key', randomBytes(32).toString('base64')),
      });
      procs.push(w);
      await until('worker ready', () => w.text().includes('worker ready') || w.child.exitCode !== null);
      expect(w.child.exitCode).toBeNull();
      expect(w.text()).not.toContain(workerToken);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test.each([
    ['FLEETQRY_WORKER_PORT', { FLEETQRY_WORKER_PORT: '9000-8000' }],
    ['FLEETQRY_WORKER_TOKEN', { FLEETQRY_WORKER_TOKEN: 'short' }],
    ['FLEETQRY_LOG_LEVEL', { FLEETQRY_LOG_LEVEL: 'loud' }],
  ])(
    'bad %s: exit 78, one line naming it, no stack trace',
    async (name, env) => {
      const w = startWorker(env);
      expect(await w.exited).toBe(78);
      const text = w.text().trim();
      expect(text.split('\n')).toHaveLength(1);
      expect(text).toMatch(new RegExp(`^fleetqry worker: .*${name}`));
      noStackTrace(text);
    },
    60_000,
  );
});

describe('the TCP engine a worker scans with is logged at start', () => {
  const ready = async (w: Proc) => {
    await until('worker ready', () => w.text().includes('worker ready') || w.child.exitCode !== null);
    await stop(w);
    return w
      .text()
      .split('\n')
      .filter((l) => l.includes('TCP engine'));
  };
  const addon = join(REPO_ROOT, 'libs/probe-native/build/Release/fleetqry_probe_native.node');
  const root = process.getuid?.() === 0;
  // Runs wherever it can; under FLEETQRY_REQUIRE_DAEMONS=1 (CI, npm test: root, addon required) it never skips.
  const required = process.env.FLEETQRY_REQUIRE_DAEMONS === '1';
  const synHere = required || (root && existsSync(addon));
  const asOtherUser = required || root;
  (synHere ? test : test.skip)(
    'as root with the addon: the native SYN engine',
    async () => {
      const lines = await ready(startWorker({ FLEETQRY_WORKER_PORT: '0' }));
      expect(lines).toEqual([expect.stringMatching(/"level":"?(info|30)"?.*TCP engine: native SYN scan/)]);
    },
    60_000,
  );

  (asOtherUser ? test : test.skip)(
    'without CAP_NET_RAW (an unprivileged uid): connect(), with a warning that says why',
    async () => {
      const lines = await ready(startWorker({ FLEETQRY_WORKER_PORT: '0' }, { uid: 65534, gid: 65534 }));
      expect(lines).toEqual([
        expect.stringMatching(
          /"level":"?(warn|40)"?.*TCP engine: connect\(\) scans \(native batches\); no raw socket \(EPERM\): the SYN engine needs root or CAP_NET_RAW/,
        ),
      ]);
    },
    60_000,
  );

  (synHere ? test : test.skip)(
    'as uid 0 holding NET_RAW and no other capability, without privilege escalation (the chart’s worker.netRaw): the SYN engine',
    async () => {
      // What the container gets from capabilities {drop: [ALL], add: [NET_RAW]}, runAsUser 0 and
      // allowPrivilegeEscalation false: every set reduced to NET_RAW, no_new_privs.
      const wrapper = ['setpriv', '--bounding-set=-all,+net_raw', '--inh-caps=-all', '--no-new-privs'];
      const lines = await ready(startWorker({ FLEETQRY_WORKER_PORT: '0' }, undefined, wrapper));
      expect(lines).toEqual([expect.stringMatching(/"level":"?(info|30)"?.*TCP engine: native SYN scan/)]);
    },
    60_000,
  );

  test('FLEETQRY_TCP_ENGINE=connect: connect(), said as a choice', async () => {
    const lines = await ready(startWorker({ FLEETQRY_WORKER_PORT: '0', FLEETQRY_TCP_ENGINE: 'connect' }));
    expect(lines).toEqual([
      expect.stringMatching(
        /"level":"?(info|30)"?.*TCP engine: connect\(\) scans \(native batches\); chosen \(FLEETQRY_TCP_ENGINE=connect\)/,
      ),
    ]);
  }, 60_000);
});
