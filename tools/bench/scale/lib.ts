// Shared by the scale benchmarks (issue 10): the safe target space, the bench config, scratch databases,
// timed child processes and the results directory. Every probe goes to 127.78.0.0/16 (each 127/8 address
// answers RST from the local kernel: a safe million closed ports), never to port 2024.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { freePort } from '../../../apps/controller/src/testing/processes.js';
import { timedRun, type RunTiming } from '../src/lib/exec.js';
import { assertLoopbackTargets, assertNoForeignPort } from '../src/lib/safety.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const CLI = path.join(ROOT, 'apps/cli/bin/fleetqry.js');

/** The scale fleet: a /16 of loopback addresses (65 536 hosts). */
export const SCALE_NET = '127.78.0.0/16';
export const SCALE_FIRST = '127.78.0.0';
export const SCALE_LAST = '127.78.255.255';

/** Probes of `hosts` × `ports`. */
export const probes = (hosts: number, ports: number): number => hosts * ports;

/** Checks a target block and port range before anything is started. */
export function assertSafeScale(first: string, last: string, portFirst: number, portLast: number): void {
  assertLoopbackTargets([first, last], 'scale bench');
  const ports = Array.from({ length: portLast - portFirst + 1 }, (_, i) => portFirst + i);
  assertNoForeignPort(ports, 'scale bench');
}

/** The results directory of this bench run: $OUT or tools/bench/results/<kind>-<timestamp>. */
export function outDir(kind = 'scale'): string {
  const dir =
    process.env['OUT'] ??
    path.join(
      ROOT,
      'tools/bench/results',
      `${kind}-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`,
    );
  fs.mkdirSync(path.join(dir, 'raw'), { recursive: true });
  return dir;
}

/**
 * The bench's own fleetqry config: loopback scope only, port 2024 excluded, no DNS servers (every run is
 * -nr and every target a literal), a host limit that admits the /16.
 */
export function benchConfig(dir: string): string {
  const file = path.join(dir, 'raw', 'fleetqry.config.yaml');
  fs.writeFileSync(
    file,
    ['scope:', '  allow: [127.0.0.0/8]', "excludePorts: '2024'", 'maxHosts: 1048576', ''].join('\n'),
  );
  return file;
}

/** An inventory of `targets` × TCP `ports` (no protocol query applies to ports without one). */
export function benchInventory(dir: string, name: string, targets: string[], tcp: string): string {
  const file = path.join(dir, 'raw', `${name}.inventory.yaml`);
  fs.writeFileSync(
    file,
    [`name: ${name}`, 'targets:', ...targets.map((t) => `  - ${t}`), 'ports:', `  tcp: '${tcp}'`, ''].join(
      '\n',
    ),
  );
  return file;
}

/**
 * `fleetqry query` on `targets` × TCP `ports`, the baseline every sweep figure is a ratio of: JSONL with only
 * LISTENING lines (a /16 of closed ports prints nothing), so the figure is the probe, not the terminal.
 */
export function queryArgs(config: string, targets: string, ports: string): string[] {
  return [
    'query',
    '-t',
    targets,
    '--tcp',
    ports,
    '-nr',
    '--config',
    config,
    '--format',
    'jsonl',
    '--states',
    'LISTENING',
    '--no-progress',
  ];
}

export interface Measured extends RunTiming {
  label: string;
  command: string;
}

/** Runs the CLI as a process under /usr/bin/time (wall, CPU, peak RSS), output to raw/<label>.*. */
export async function runCli(
  dir: string,
  label: string,
  args: string[],
  opts: { env?: Record<string, string>; limitSec?: number; cwd?: string } = {},
): Promise<Measured> {
  const raw = path.join(dir, 'raw', label);
  const cmd = [process.execPath, CLI, ...args];
  const prev = { ...process.env };
  Object.assign(process.env, opts.env ?? {});
  try {
    const t = await timedRun(cmd, {
      stdout: `${raw}.out`,
      stderr: `${raw}.err`,
      timeFile: `${raw}.time`,
      limitSec: opts.limitSec ?? 900,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    if (t.exit !== 0 && t.exit !== 3)
      throw new Error(`${label}: exit ${t.exit}: ${fs.readFileSync(`${raw}.err`, 'utf8').slice(-2000)}`);
    return { ...t, label, command: args.join(' ') };
  } finally {
    process.env = prev;
  }
}

const ADMIN_URL = process.env['FLEETQRY_TEST_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A new empty Postgres database on the machine's server; its URL. */
export function scratchPostgres(name: string): string {
  const db = `fq_bench_${name}`;
  psql(ADMIN_URL, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  psql(ADMIN_URL, `CREATE DATABASE ${db}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${db}`;
  return url.toString();
}

export function dropPostgres(name: string): void {
  psql(ADMIN_URL, `DROP DATABASE IF EXISTS fq_bench_${name} WITH (FORCE)`);
}

/** One statement through psql (-At: bare values); its output. */
export function psql(url: string, sql: string): string {
  return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], {
    encoding: 'utf8',
  }).trim();
}

export interface Goal {
  item: string;
  figure: string;
  goal: string;
  met: boolean;
}

/** Writes one benchmark's figures (with their goals) as raw JSON; summary.ts renders every one. */
export function writeResult(dir: string, name: string, data: { goals: Goal[]; [k: string]: unknown }): void {
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(data, null, 2) + '\n');
  for (const g of data.goals)
    console.log(`${g.met ? 'MET    ' : 'MISSED '} ${g.item}: ${g.figure} (goal ${g.goal})`);
}

/** A whole number from the environment (`name`, default `d`), refused outside min..max. */
export function envInt(name: string, d: number, min: number, max: number): number {
  const v = Number(process.env[name] ?? d);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new Error(`${name}=${process.env[name]}: ${min}..${max}`);
  return v;
}

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export { freePort };

export interface BenchController {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The admin bearer token (FLEETQRY_ADMIN_TOKEN). */
  token: string;
  readyMs: number;
}

/**
 * apps/controller/dist/main.js as a process on 127.0.0.1 over `databaseUrl`, with fresh secrets, an admin
 * token, the bench's safety settings (loopback scope, port 2024 excluded, no reverse DNS) and its own queue
 * prefix on the machine's Redis; output to `logFile`. Resolves once /health answers 200.
 */
export async function startController(
  databaseUrl: string,
  opts: { queuePrefix: string; logFile: string },
): Promise<BenchController> {
  const token = `fq_${randomBytes(32).toString('base64url')}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const out = fs.openSync(opts.logFile, 'w');
  const child = spawn(process.execPath, [path.join(ROOT, 'apps/controller/dist/main.js')], {
    cwd: ROOT,
    stdio: ['ignore', out, out],
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/root',
      DATABASE_URL: databaseUrl,
      REDIS_URL: 'redis://127.0.0.1:6379',
      FLEETQRY_QUEUE_PREFIX: opts.queuePrefix,
      FLEETQRY_ADMIN_TOKEN: token,
      FLEETQRY_CREDENTIAL_KEY: randomBytes(32).toString('hex'),
      FLEETQRY_WORKER_TOKEN: randomBytes(24).toString('base64url'),
      FLEETQRY_JOB_KEY: randomBytes(32).toString('base64url'),
      FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
      FLEETQRY_PORT: String(port),
      FLEETQRY_HOST: '127.0.0.1',
      FLEETQRY_LOG_LEVEL: 'warn',
      FLEETQRY_EXCLUDE_PORTS: '2024',
      FLEETQRY_REVERSE_DNS: 'false',
    },
  });
  const t0 = performance.now();
  try {
    await waitForHealth(base, child, 60_000);
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
  return { child, base, token, readyMs: Math.round(performance.now() - t0) };
}

/** Polls `base`/health until 200; fails when `child` exits or `limitMs` passes (see raw/controller.log). */
async function waitForHealth(base: string, child: ChildProcess, limitMs: number): Promise<void> {
  const until = performance.now() + limitMs;
  while (performance.now() < until) {
    if (child.exitCode !== null)
      throw new Error(`the controller exited ${child.exitCode}: see raw/controller.log`);
    try {
      if ((await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the controller was not healthy within ${limitMs} ms: see raw/controller.log`);
}
