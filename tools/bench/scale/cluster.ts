// The distributed transport as deployed, for the scale benchmarks (issue 10): a migrated scratch Postgres
// database, the controller (apps/controller/dist/main.js) and N workers (apps/worker/dist/main.js) as
// separate processes configured from the environment only, on the machine's Redis under a unique queue
// prefix. Every process's log goes to raw/<name>.<process>.log; their resident memory is sampled.
//
// Safety: the controller's scope ceiling is 127.0.0.0/8 and nothing else, its site exclusions name port
// 2024, it has no DNS servers and never reverse-resolves; every child is killed on stop, on an error and
// when this process exits. Every wait has a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { Redis } from 'ioredis';

import { FOREIGN_PORT } from '../src/lib/safety.js';
import { dropPostgres, freePort, psql, ROOT, scratchPostgres } from './lib.js';

const CONTROLLER_MAIN = path.join(ROOT, 'apps/controller/dist/main.js');
const WORKER_MAIN = path.join(ROOT, 'apps/worker/dist/main.js');
const MIGRATOR = path.join(ROOT, 'libs/store/dist/migrator/cli.js');
const REDIS_URL = 'redis://127.0.0.1:6379';
/** USER_HZ of /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;
/** The controller's scope ceiling: loopback only (the bench refuses to start a controller with anything else). */
const BENCH_SCOPE = '127.0.0.0/8';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns a truthy value; throws after `timeoutMs`. */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (v) return v;
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ------------------------------------------------------------------------------------------ processes

/** Every child this module started, killed with SIGKILL if the bench exits without stopping them. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(130);
  });

/** /proc/<pid>/status fields in kB (VmRSS, VmHWM); undefined once the process is gone. */
function procKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export class Proc {
  readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly log: fs.WriteStream;
  /** Highest VmRSS seen by the sampler (kB). */
  peakRssKb = 0;

  constructor(
    readonly name: string,
    args: string[],
    env: Record<string, string>,
    logFile: string,
  ) {
    this.log = fs.createWriteStream(logFile);
    // A clean environment: only what is configured here (never the caller's DATABASE_URL, NODE_OPTIONS…).
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(this.child);
    this.child.once('close', () => {
      children.delete(this.child);
      this.log.end();
    });
    let partial = '';
    const onData = (d: string) => {
      this.log.write(d);
      const parts = (partial + d).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts.filter(Boolean));
    };
    this.child.stdout!.setEncoding('utf8').on('data', onData);
    this.child.stderr!.setEncoding('utf8').on('data', onData);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Log lines so far containing `needle`. */
  grep(needle: string): string[] {
    return this.lines.filter((l) => l.includes(needle));
  }

  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  sample(): void {
    const kb = procKb(this.pid, 'VmRSS');
    if (kb !== undefined && kb > this.peakRssKb) this.peakRssKb = kb;
  }

  /** CPU time (user + system) the process has used so far, s (undefined once it is gone). */
  cpuSec(): number | undefined {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
    } catch {
      return undefined;
    }
  }

  /** The kernel's high-water mark of the resident set since the process started (kB). */
  hwmKb(): number | undefined {
    return procKb(this.pid, 'VmHWM');
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the pipes are drained. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    const closed = new Promise<void>((r) => this.child.once('close', () => r()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await closed;
    clearTimeout(timer);
  }
}

/** Runs a node program to completion within `timeoutMs`. */
function runNode(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, output });
    });
  });
}

async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await redis.connect();
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0' && ++rounds < 100_000);
  } finally {
    redis.disconnect();
  }
}

// ------------------------------------------------------------------------------------------ the cluster

export interface ClusterOptions {
  /** The bench's results directory (logs go to its raw/). */
  dir: string;
  /** Names the scratch database (fq_bench_<name>), the queue prefix and the log files. */
  name: string;
  workers: number;
  /** Extra controller settings (FLEETQRY_CHUNK_PROBES…); the safety settings cannot be overridden. */
  controllerEnv?: Record<string, string>;
  /** Settings of every worker (FLEETQRY_WORKER_RATE…). */
  workerEnv?: Record<string, string>;
  /** Node options of the controller process (e.g. --cpu-prof for a diagnosis); from CONTROLLER_NODE_ARGS. */
  controllerNodeArgs?: string[];
  /** RSS sampling period (ms). */
  sampleMs?: number;
}

export interface RunOutcome {
  runId: string;
  status: string;
  /** POST /runs until its answer (plan, run and chunk rows, every chunk job enqueued), ms. */
  postMs: number;
  /** POST /runs until the run's finishedAt (the controller's clock, the same machine), ms. */
  wallMs: number;
  /** POST /runs until this bench saw the final status (polled every 500 ms), ms. */
  observedMs: number;
  /** From the run record: POST → createdAt (plan) and createdAt → startedAt (run and chunk rows), ms. */
  planMs: number;
  chunkRowsMs: number;
  hosts: number;
  totalProbes: number;
  chunks: number;
  error: string | null;
  /** CPU seconds each process used from POST /runs until the final status was seen. */
  cpuSec: { controller: number; workers: number[] };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers are read field by field
type Json = any;

export class Cluster {
  readonly prefix: string;
  readonly adminToken = `fq_${randomBytes(32).toString('base64url')}`;
  private readonly workerToken = randomBytes(32).toString('hex');
  private readonly credentialKey = randomBytes(32).toString('hex');
  private readonly jobKey = randomBytes(32).toString('base64url');
  controller!: Proc;
  url = '';
  dbUrl = '';
  readonly workers: Proc[] = [];
  private sampler?: NodeJS.Timeout;
  private workerCount = 0;

  private constructor(readonly opts: ClusterOptions) {
    this.prefix = `fqbench-${opts.name}-${randomBytes(3).toString('hex')}`;
  }

  /** Scratch database, migrations, controller, then the workers; everything stopped again on a failure. */
  static async start(opts: ClusterOptions): Promise<Cluster> {
    for (const f of [CONTROLLER_MAIN, WORKER_MAIN, MIGRATOR])
      if (!fs.existsSync(f)) throw new Error(`${f} is missing: build with npx tsc -b tsconfig.build.json`);
    const c = new Cluster(opts);
    try {
      await c.boot();
      return c;
    } catch (error) {
      await c.stop().catch(() => {});
      throw error;
    }
  }

  private log(proc: string): string {
    return path.join(this.opts.dir, 'raw', `${this.opts.name}.${proc}.log`);
  }

  private async boot(): Promise<void> {
    this.dbUrl = scratchPostgres(this.opts.name);
    const migrated = await runNode([MIGRATOR], { DATABASE_URL: this.dbUrl }, 120_000);
    if (migrated.code !== 0) throw new Error(`migrator exited ${migrated.code}: ${migrated.output}`);

    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      FLEETQRY_LOG_LEVEL: 'info',
      ...this.opts.controllerEnv,
      // Not overridable: the safety settings and the wiring.
      DATABASE_URL: this.dbUrl,
      REDIS_URL,
      FLEETQRY_QUEUE_PREFIX: this.prefix,
      FLEETQRY_ADMIN_TOKEN: this.adminToken,
      FLEETQRY_CREDENTIAL_KEY: this.credentialKey,
      FLEETQRY_WORKER_TOKEN: this.workerToken,
      FLEETQRY_JOB_KEY: this.jobKey,
      FLEETQRY_SCOPE_ALLOW: BENCH_SCOPE,
      FLEETQRY_SCOPE_DENY: '',
      FLEETQRY_EXCLUDE_PORTS: String(FOREIGN_PORT),
      FLEETQRY_DNS_SERVERS: '',
      FLEETQRY_REVERSE_DNS: 'false',
      FLEETQRY_MAX_HOSTS: '1048576',
      FLEETQRY_PORT: String(port),
      FLEETQRY_HOST: '127.0.0.1',
    };
    if (env['FLEETQRY_SCOPE_ALLOW'] !== '127.0.0.0/8' || env['FLEETQRY_EXCLUDE_PORTS'] !== '2024')
      throw new Error('cluster: refusing a controller without the loopback scope and port 2024 excluded');
    const nodeArgs =
      this.opts.controllerNodeArgs ?? (process.env['CONTROLLER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    this.controller = new Proc('controller', [...nodeArgs, CONTROLLER_MAIN], env, this.log('controller'));
    await waitFor(
      'controller /health',
      async () => {
        if (!this.controller.running) throw new Error('exited');
        return (await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) })).status === 200;
      },
      60_000,
      200,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; controller output:\n${this.controller.tail()}`);
    });
    this.sampler = setInterval(() => this.sample(), this.opts.sampleMs ?? 200);
    await this.addWorkers(this.opts.workers);
  }

  /** Starts `n` more workers and waits until each has logged `worker ready`. */
  async addWorkers(n: number): Promise<void> {
    const started: Proc[] = [];
    for (let i = 0; i < n; i++) {
      const name = `worker${this.workerCount++}`;
      const w = new Proc(
        name,
        [WORKER_MAIN],
        {
          FLEETQRY_LOG_LEVEL: 'info',
          ...this.opts.workerEnv,
          REDIS_URL,
          FLEETQRY_QUEUE_PREFIX: this.prefix,
          FLEETQRY_CONTROLLER_URL: this.url,
          FLEETQRY_WORKER_TOKEN: this.workerToken,
          FLEETQRY_JOB_KEY: this.jobKey,
          FLEETQRY_SCOPE_ALLOW: BENCH_SCOPE,
          FLEETQRY_WORKER_PORT: '0',
          FLEETQRY_WORKER_HOST: '127.0.0.1',
        },
        this.log(name),
      );
      this.workers.push(w);
      started.push(w);
    }
    await waitFor(
      `${n} workers ready`,
      () => {
        const dead = started.find((w) => !w.running);
        if (dead) throw new Error(`${dead.name} exited: ${dead.tail()}`);
        return started.every((w) => w.grep('worker ready').length > 0);
      },
      60_000,
      200,
    ).catch((e: Error) => {
      throw new Error(`${e.message}:\n${started.map((w) => `${w.name}: ${w.tail(10)}`).join('\n')}`);
    });
  }

  /** Stops every worker (SIGTERM, then SIGKILL). */
  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
    this.workers.length = 0;
  }

  sample(): void {
    this.controller?.sample();
    for (const w of this.workers) w.sample();
  }

  /** CPU seconds used so far by the controller and by each worker. */
  cpu(): { controller: number; workers: number[] } {
    const sec = (p: Proc) => Math.round((p.cpuSec() ?? 0) * 100) / 100;
    return { controller: sec(this.controller), workers: this.workers.map(sec) };
  }

  /** Peak resident memory of the controller and of each worker (MB): the sampled VmRSS and the kernel's VmHWM. */
  memory(): {
    controller: { sampledMb: number; hwmMb: number };
    workers: { sampledMb: number; hwmMb: number }[];
  } {
    this.sample();
    const mb = (kb: number | undefined) => Math.round(((kb ?? 0) / 1024) * 10) / 10;
    const one = (p: Proc) => ({ sampledMb: mb(p.peakRssKb), hwmMb: mb(p.hwmKb() ?? p.peakRssKb) });
    return { controller: one(this.controller), workers: this.workers.map(one) };
  }

  async api(
    method: string,
    route: string,
    body?: unknown,
    timeoutMs = 600_000,
  ): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${this.adminToken}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** An inventory of `targets` × TCP `tcp` and a scan definition of it (baseline policy); its id. */
  async createScan(name: string, targets: string[], tcp: string): Promise<string> {
    const inventory = await this.api('POST', '/inventories', {
      name,
      document: { version: 1, name, targets, ports: { tcp } },
    });
    if (inventory.status !== 201)
      throw new Error(`POST /inventories: ${inventory.status} ${JSON.stringify(inventory.body)}`);
    const scan = await this.api('POST', '/scan-definitions', {
      name,
      inventoryId: inventory.body.id,
      policy: 'baseline',
    });
    if (scan.status !== 201)
      throw new Error(`POST /scan-definitions: ${scan.status} ${JSON.stringify(scan.body)}`);
    return scan.body.id as string;
  }

  /** POST /runs, then GET /runs/:id every `pollMs` until the run is no longer running (or `timeoutMs`). */
  async run(scanDefinitionId: string, timeoutMs: number, pollMs = 500): Promise<RunOutcome> {
    const cpu0 = this.cpu();
    const wallStart = Date.now();
    const t0 = performance.now();
    const posted = await this.api('POST', '/runs', { scanDefinitionId }, timeoutMs);
    const postMs = performance.now() - t0;
    if (posted.status !== 202) throw new Error(`POST /runs: ${posted.status} ${JSON.stringify(posted.body)}`);
    const runId = posted.body.id as string;
    const done = await waitFor(
      `run ${runId}`,
      async () => {
        const r = await this.api('GET', `/runs/${runId}`, undefined, 10_000);
        return r.status === 200 && r.body.status !== 'running' && r.body.status !== 'queued'
          ? r.body
          : undefined;
      },
      Math.max(1000, timeoutMs - postMs),
      pollMs,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\ncontroller:\n${this.controller.tail(20)}`);
    });
    const observedMs = performance.now() - t0;
    const cpu1 = this.cpu();
    const cs = (x: number) => Math.round(x * 100) / 100;
    const at = (s: string | null) => (s ? Date.parse(s) : NaN);
    return {
      runId,
      status: done.status as string,
      postMs: round(postMs),
      wallMs: round(at(done.finishedAt) - wallStart),
      observedMs: round(observedMs),
      planMs: round(at(done.createdAt) - wallStart),
      chunkRowsMs: round(at(done.startedAt) - at(done.createdAt)),
      hosts: done.hosts as number,
      totalProbes: done.progress.totalProbes as number,
      chunks: done.progress.chunks as number,
      error: (done.error as string | null) ?? null,
      cpuSec: {
        controller: cs(cpu1.controller - cpu0.controller),
        workers: cpu1.workers.map((w, i) => cs(w - (cpu0.workers[i] ?? 0))),
      },
    };
  }

  /** One SQL statement on the scratch database (psql -At). */
  sql(statement: string): string {
    return psql(this.dbUrl, statement);
  }

  /** Stops every process, deletes the queue prefix's Redis keys and (unless `keepDb`) the scratch database. */
  async stop(opts: { keepDb?: boolean } = {}): Promise<void> {
    clearInterval(this.sampler);
    await Promise.all([...this.workers, ...(this.controller ? [this.controller] : [])].map((p) => p.stop()));
    await deleteRedisPrefix(this.prefix).catch(() => {});
    if (!opts.keepDb && this.dbUrl) dropPostgres(this.opts.name);
  }
}

const round = (ms: number) => Math.round(ms);
