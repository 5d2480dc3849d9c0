// Test-only (imported by *.int-spec.ts only; keep src/**/testing/** out of the app build). Helpers for the distributed e2e specs: a controller (Nest, in this process), worker processes
// (from apps/worker/dist), a stand-in for the controller's credential endpoint, Redis control and scans.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Module, type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { QUEUES, type CredentialSecretResponse } from '@fleetqry/contracts';
import { CREDENTIAL_KEY_ENV, loadCredentialKey } from '@fleetqry/store';

import { ConfigModule } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { DispatchModule } from '../dispatch.module.js';
import { loadDispatchConfig, type DispatchConfig } from '../dispatch-config.js';
import { RunsModule } from '../../runs/runs.module.js';
import { StoreModule } from '../../store/store.module.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../../..');
export const WORKER_MAIN = join(REPO_ROOT, 'apps/worker/dist/main.js');
const REDIS_START = [
  'redis-server',
  '--daemonize',
  'yes',
  '--bind',
  '127.0.0.1 -::1',
  '--port',
  '6379',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  '/var/lib/redis',
  '--logfile',
  '/var/log/redis/ci.log',
];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function uniquePrefix(name: string): string {
  return `fqtest-${name}-${randomBytes(4).toString('hex')}`;
}

/** Every log line a Nest context writes, so a test can search them (secrets must never appear). */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private add(level: string, args: unknown[]) {
    this.lines.push(`${level} ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
  }
  log(...a: unknown[]) {
    this.add('log', a);
  }
  error(...a: unknown[]) {
    this.add('error', a);
  }
  warn(...a: unknown[]) {
    this.add('warn', a);
  }
  debug(...a: unknown[]) {
    this.add('debug', a);
  }
  verbose(...a: unknown[]) {
    this.add('verbose', a);
  }
}

const CREDENTIAL_KEY = randomBytes(32).toString('hex');
export const WORKER_TOKEN = randomBytes(24).toString('base64url'); // 32 characters
export const JOB_KEY = randomBytes(32).toString('base64url');

export function appConfig(databaseUrl: string, queuePrefix = 'fleetqry'): AppConfig {
  return {
    databaseUrl,
    queuePrefix,
    redis: { host: '127.0.0.1', port: 6379 },
    workerToken: WORKER_TOKEN,
    credentialKey: loadCredentialKey({ [CREDENTIAL_KEY_ENV]: CREDENTIAL_KEY }),
    jobKeys: { current: JOB_KEY },
    scope: { allow: ['127.0.0.0/8'], deny: [] },
    port: 0,
    host: '127.0.0.1',
    logLevel: 'info',
    trustProxy: false,
    authFailuresPerMinute: 30,
  };
}

export function dispatchConfig(prefix: string, overrides: Partial<DispatchConfig> = {}): DispatchConfig {
  return {
    ...loadDispatchConfig(
      { redis: { host: '127.0.0.1', port: 6379 }, queuePrefix: prefix },
      { FLEETQRY_EXCLUDE_PORTS: '2024', FLEETQRY_DNS_SERVERS: '127.30.0.7' },
    ),
    ...overrides,
  };
}

/** The controller's dispatch + runs modules over HTTP (no auth guard: that is AppModule's). */
export async function startController(
  app: AppConfig,
  dispatch: DispatchConfig,
  logger: LoggerService,
): Promise<{ nest: INestApplication; url: string }> {
  @Module({
    imports: [ConfigModule.register(app), StoreModule, DispatchModule.register(dispatch), RunsModule],
  })
  class TestControllerModule {}
  const nest = await NestFactory.create(TestControllerModule, { logger });
  await nest.listen(0, '127.0.0.1');
  const { port } = nest.getHttpServer().address() as AddressInfo;
  return { nest, url: `http://127.0.0.1:${port}` };
}

/**
 * Stand-in for the controller's GET /internal/credentials/:id?run=…&chunk=… (same contract), counting
 * requests. It serves any listed secret for any chunk: the grant rules are the real controller's, tested
 * with the real route.
 */
export async function credentialServer(
  /** id → a community, or an opened credential of any kind as the real route answers it. */
  secrets: Map<string, string | CredentialSecretResponse>,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const m = /^\/internal\/credentials\/([0-9a-f-]{36})\?run=[0-9a-f-]{36}&chunk=\d+$/.exec(req.url ?? '');
    if (req.headers.authorization !== `Bearer ${WORKER_TOKEN}`) {
      res.writeHead(401).end();
      return;
    }
    const secret = m ? secrets.get(m[1]!) : undefined;
    requests.push(m?.[1] ?? '?');
    if (!secret) {
      res.writeHead(404).end();
      return;
    }
    const opened: CredentialSecretResponse =
      typeof secret === 'string' ? { kind: 'snmp-community', secret, principal: null } : secret;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(opened));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
}

export function startWorker(env: Record<string, string>): WorkerProcess {
  if (!existsSync(WORKER_MAIN))
    throw new Error(`${WORKER_MAIN} is missing: build with tsc -b apps/worker/tsconfig.app.json`);
  const child = spawn(process.execPath, [WORKER_MAIN], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      FLEETQRY_WORKER_PORT: '0',
      FLEETQRY_WORKER_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => output.push(...d.split('\n').filter(Boolean)));
  child.stderr.setEncoding('utf8').on('data', (d: string) => output.push(...d.split('\n').filter(Boolean)));
  return { child, output };
}

/**
 * Waits until every worker has logged `worker ready`. Start-up is CPU-bound (about 1.8 CPU-seconds of module
 * loading each), so several workers starting at once on a loaded two-core machine take tens of seconds: the
 * bound is generous, a worker that exits fails the wait at once, and either failure shows each one's output.
 */
export async function waitForWorkers(workers: readonly WorkerProcess[], timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const exited = (w: WorkerProcess) => w.child.exitCode !== null || w.child.signalCode !== null;
  for (;;) {
    if (workers.every((w) => w.output.some((l) => l.includes('worker ready')))) return;
    const dead = workers.filter(exited);
    if (dead.length > 0 || Date.now() > until) {
      const state = workers
        .map(
          (w) =>
            `worker pid ${w.child.pid}${exited(w) ? ` (exited: ${w.child.exitCode ?? w.child.signalCode})` : ''}:\n${w.output.slice(-10).join('\n')}`,
        )
        .join('\n');
      throw new Error(
        `${dead.length > 0 ? 'a worker exited before it was ready' : `workers not ready within ${timeoutMs} ms`}\n${state}`,
      );
    }
    await sleep(200);
  }
}

export async function stopWorker(
  w: WorkerProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return w.child.exitCode;
  // 'close', not 'exit': the last log lines are read only once the pipes are drained.
  const exited = new Promise<number | null>((r) => w.child.once('close', (code) => r(code)));
  w.child.kill(signal);
  return exited;
}

/** A run's probe jobs as BullMQ holds them (state, attempts, delay, last failure), for a stuck run's report. */
export async function probeJobStates(prefix: string, runId: string): Promise<string> {
  const queue = new Queue(QUEUES.probe, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  try {
    const jobs = (await queue.getJobs()).filter((j) => j.id?.startsWith(`${runId}.`));
    const lines = await Promise.all(
      jobs.map(
        async (j) =>
          `${j.id}: ${await j.getState()}, attempts ${j.attemptsMade}/${j.opts.attempts ?? 1}, ` +
          `delay ${j.delay} ms, stalled ${j.stalledCounter}${j.failedReason ? `, failed: ${j.failedReason}` : ''}`,
      ),
    );
    return lines.join('\n') || '(no probe job)';
  } finally {
    await queue.close();
  }
}

function redisRunning(): boolean {
  return spawnSync('redis-cli', ['-h', '127.0.0.1', 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
}

export function stopRedis(): void {
  spawnSync('redis-cli', ['-h', '127.0.0.1', 'shutdown', 'nosave'], { stdio: 'ignore' });
}

export async function startRedis(): Promise<void> {
  if (!redisRunning()) spawnSync(REDIS_START[0]!, REDIS_START.slice(1), { stdio: 'ignore' });
  await waitFor('redis', async () => redisRunning(), 10_000);
}

/** Every key under the prefix with every value it holds, as text (for secret scans). */
export async function dumpRedis(prefix: string): Promise<{ keys: number; text: string }> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const parts: string[] = [];
  let keys = 0;
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) {
        keys++;
        parts.push(key);
        const type = await redis.type(key);
        if (type === 'string') parts.push((await redis.get(key)) ?? '');
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return { keys, text: parts.join('\n') };
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  if (!redisRunning()) return;
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (batch.length) await redis.del(...batch);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface HostTruth {
  address: string;
  name: string;
  openTcp: number[];
  /** TCP ports the lab's nft table drops on this host. */
  filteredTcp: number[];
  snmp: {
    versions: string[];
    communities: Record<string, string>;
    /** Net-SNMP spellings (SHA, SHA-256, MD5, AES, DES); `noAuthAllowed` is absent in older truth files. */
    v3Users: {
      user: string;
      level: string;
      authProtocol?: string;
      authPassword?: string;
      privProtocol?: string;
      privPassword?: string;
      noAuthAllowed?: boolean;
    }[];
  } | null;
}

export function loadGroundTruth(): { net: string; domain: string; hosts: HostTruth[] } {
  return JSON.parse(readFileSync(process.env.LAB_TRUTH ?? '/tmp/fleetqry-lab/ground-truth.json', 'utf8')) as {
    net: string;
    domain: string;
    hosts: HostTruth[];
  };
}

/** A fresh database on the machine's Postgres (trust auth), dropped by `drop()`. */
export async function tempPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env['FLEETQRY_TEST_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `fleetqry_test_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
