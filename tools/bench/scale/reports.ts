/**
 * Issue 10 item 7: reports stay fast on a big store. Builds a store of 10M observations and 100k findings in
 * each of 30 runs (tools/bench/scale/big-store.ts, server-side SQL into a scratch Postgres database), then
 * times, REPS times each after WARMUP untimed runs, one request at a time:
 *  - the API over HTTP against a real controller process (`run=latest`, bearer token);
 *  - the CLI's path in-process: the library calls `fleetqry report` and the API make (findRun 'latest' +
 *    summarizeFindings / queryFindings, and loadRunReport for a small filtered report);
 *  - the CLI as a process, once per query (wall time including Node's start-up; not part of the goal);
 *  - `latest` alone, and its EXPLAIN (ANALYZE) plan (the runs (status, number) index).
 * Each query's plans (EXPLAIN ANALYZE of the exact SQL and parameters the store sends) go to raw/plans.txt.
 *
 *   npx tsc -b tsconfig.build.json && npx tsx tools/bench/scale/reports.ts
 *   OBS=300000 FINDINGS=10000 RUNS=5 REPS=20 npx tsx tools/bench/scale/reports.ts   (a quick trial)
 *   OBS (observations over all runs), FINDINGS (per run), RUNS, REPS, WARMUP, KEEP=1 (keep the database),
 *   OUT=dir (results directory; default tools/bench/results/scale-<timestamp>)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os, { cpus, loadavg } from 'node:os';
import path from 'node:path';

import type { FindingFilter } from '@fleetqry/policy';
import pg from 'pg';
import {
  createStore,
  queryFindings,
  selectFindings,
  summarizeFindings,
  type SqlConnection,
  type Store,
} from '@fleetqry/store';
import { findRun, loadRunReport, toStoreFilter } from '@fleetqry/sweep';

import { buildBigStore, codeVersion, partitionedSizes, serverSettings, sizeFromEnv } from './big-store.js';
import {
  CLI,
  dropPostgres,
  median,
  outDir,
  percentile,
  ROOT,
  scratchPostgres,
  startController,
  writeResult,
  type Goal,
} from './lib.js';

const GOAL_MS = 100;
const int = (name: string, d: number, min: number, max: number) =>
  Math.max(min, Math.min(max, Math.round(Number(process.env[name] ?? d))));
const REPS = int('REPS', 50, 5, 1000);
const WARMUP = int('WARMUP', 3, 0, 50);
const size = sizeFromEnv({ runs: 30, observations: 10_000_000, findingsPerRun: 100_000 });

interface Query {
  id: string;
  label: string;
  kind: 'summary' | 'page' | 'report';
  /** The report filter (the CLI's flags, the API's query parameters). */
  filter: FindingFilter;
  /** The API path and query. */
  api: string;
  /** The CLI's `report` flags for the same filter. */
  cli: string[];
}

const RULE = 'telnet.listening';
const CIDR = '127.78.16.0/20';
const TAG = 'pci';
const STATUS = 'new';

const QUERIES: Query[] = [
  {
    id: 'summary',
    label: 'violation summary',
    kind: 'summary',
    filter: {},
    api: '/findings/summary?run=latest',
    cli: [],
  },
  {
    id: 'first-page',
    label: 'first page of findings (limit 50)',
    kind: 'page',
    filter: {},
    api: '/findings?run=latest&limit=50',
    cli: [],
  },
  {
    id: 'rule',
    label: `findings by rule (${RULE})`,
    kind: 'page',
    filter: { rules: [RULE] },
    api: `/findings?run=latest&rule=${RULE}&limit=50`,
    cli: ['--rule', RULE],
  },
  {
    id: 'host-cidr',
    label: `findings by host CIDR (${CIDR})`,
    kind: 'page',
    filter: { hosts: [CIDR] },
    api: `/findings?run=latest&host=${encodeURIComponent(CIDR)}&limit=50`,
    cli: ['--host', CIDR],
  },
  {
    id: 'tag',
    label: `findings by tag (${TAG})`,
    kind: 'page',
    filter: { tags: [TAG] },
    api: `/findings?run=latest&tag=${TAG}&limit=50`,
    cli: ['--tag', TAG],
  },
  {
    id: 'status',
    label: `findings by status (${STATUS})`,
    kind: 'page',
    filter: { statuses: [STATUS] },
    api: `/findings?run=latest&status=${STATUS}&limit=50`,
    cli: ['--status', STATUS],
  },
  {
    id: 'report-subset',
    label: `stored report, small subset (rule ${RULE} and host ${CIDR})`,
    kind: 'report',
    filter: { rules: [RULE], hosts: [CIDR] },
    api: `/reports/latest?format=json&rule=${RULE}&host=${encodeURIComponent(CIDR)}`,
    cli: ['--rule', RULE, '--host', CIDR],
  },
];

interface Timing {
  reps: number;
  /** The 1-minute load average when the series started (other work shares the machine's 2 cores). */
  loadavg1?: number;
  p95Ms: number;
  medianMs: number;
  maxMs: number;
  minMs: number;
}

const ms = (x: number) => +x.toFixed(2);
function timing(xs: number[]): Timing {
  return {
    reps: xs.length,
    p95Ms: ms(percentile(xs, 95)),
    medianMs: ms(median(xs)),
    maxMs: ms(Math.max(...xs)),
    minMs: ms(Math.min(...xs)),
  };
}

/** Every timed call in milliseconds, per series (raw/reports-samples.json), in the order they ran. */
const samples: Record<string, number[]> = {};

/** WARMUP untimed calls, then REPS timed ones; the first call's result is kept for the record. */
async function measure<T>(label: string, fn: () => Promise<T>): Promise<{ timing: Timing; first: T }> {
  const loadavg1 = loadavg()[0]!;
  let first: T | undefined;
  for (let i = 0; i < WARMUP; i++) first = await fn();
  const xs: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const r = await fn();
    xs.push(performance.now() - t0);
    first ??= r;
  }
  samples[label] = xs.map(ms);
  return { timing: { ...timing(xs), loadavg1 }, first: first as T };
}

const dir = outDir();
const raw = (name: string) => path.join(dir, 'raw', name);
const log = (line: string) => console.log(`[reports] ${line}`);
const loadavgStart = loadavg();
const dbUrl = scratchPostgres('reports');
let controller: ChildProcess | undefined;
let store: Store | undefined;

try {
  store = await createStore({ databaseUrl: dbUrl, migrate: true, poolSize: 4 });
  const code = codeVersion(store);
  log(
    `building: ${size.runs} runs, ${size.observations} observations, ${size.findingsPerRun} findings per run`,
  );
  const big = await buildBigStore(store, size, { scan: 'bench-reports', log });
  const tables = await partitionedSizes(store);
  log(`built in ${(big.buildMs.total / 1000).toFixed(1)} s: ${JSON.stringify(tables)}`);
  const newest = big.runs.at(-1)!;
  const s = store;

  // ---- `latest` alone: its timing, the statements it sends (captured at the pg driver), their plans on
  // this store (30 runs: one heap page) and on a store with a long run history (in a rolled-back
  // transaction, so nothing else sees those runs).
  const latest = await measure('latest', () => findRun(s, 'latest'));
  if (latest.first?.id !== newest.id)
    throw new Error(`latest is run ${latest.first?.number}, not ${newest.number}`);
  const latestStatements = await captureStatements(() => findRun(s, 'latest'));
  const [latestStmt] = latestStatements;
  if (!latestStmt) throw new Error('findRun sent no statement');
  const latestPlan = await s.sql((c) => explain(c, latestStmt.sql, latestStmt.values));
  const HISTORY = 20_000;
  const NEWER_FAILED = 1_000;
  /** The plan of `latest` with HISTORY older runs (60% succeeded), and with NEWER_FAILED newer failed ones too. */
  const historyPlan = (newerFailed: number) =>
    s.sql(async (c) => {
      try {
        await c.query('BEGIN');
        await c.query(
          `INSERT INTO "runs" ("number", "scan_definition_id", "status", "trigger", "created_at")
           SELECT -g, $1::uuid, (ARRAY['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled'])[g % 5 + 1]::"run_status",
                  'schedule'::"run_trigger", now() - make_interval(hours => g)
             FROM generate_series(1, ${HISTORY}) g
           UNION ALL
           SELECT $2::int + g, $1::uuid, 'failed'::"run_status", 'schedule'::"run_trigger", now() FROM generate_series(1, $3::int) g`,
          [big.definitionId, newest.number + 1_000_000, newerFailed],
        );
        await c.query('ANALYZE "runs"');
        return await explain(c, latestStmt.sql, latestStmt.values);
      } finally {
        await c.query('ROLLBACK');
        await c.query('ANALYZE "runs"'); // reltuples is updated in place: put it back
      }
    });
  const latestPlanHistory = await historyPlan(0);
  const latestPlanFailures = await historyPlan(NEWER_FAILED);
  const indexScan = (plan: string) =>
    /Index (?:Only )?Scan Backward using "?(\w+)"?/.exec(plan)?.[1] ?? 'no index scan';
  const buffers = (plan: string) => /Buffers: shared hit=(\d+)/.exec(plan)?.[1] ?? '?';
  const latestUsesIndex =
    indexScan(latestPlanHistory) !== 'no index scan' && indexScan(latestPlanFailures) !== 'no index scan';

  // ---- the CLI's path, in-process (one store, opened once: the CLI's start-up is measured separately).
  const inProcess: Record<string, Timing & { matched: number }> = {};
  const plans: string[] = [
    `-- latest (${big.runs.length} runs)\n${latestStmt.sql}\n${latestPlan}`,
    `-- latest (with ${HISTORY} older runs of history)\n${latestPlanHistory}`,
    `-- latest (with ${HISTORY} older runs and ${NEWER_FAILED} newer failed runs)\n${latestPlanFailures}`,
  ];
  for (const q of QUERIES) {
    const call = (conn?: (c: SqlConnection) => SqlConnection) => async () => {
      const run = (await findRun(s, 'latest'))!;
      if (q.kind === 'report') return (await loadRunReport(s, run, q.filter)).violations.length;
      const filter = toStoreFilter(run.id, q.filter);
      return s.sql(async (c) => {
        const cc = conn ? conn(c) : c;
        if (q.kind === 'summary')
          return (await summarizeFindings(cc, filter)).reduce((n, g) => n + g.count, 0);
        return (await queryFindings(cc, filter, { limit: 50, offset: 0 })).total;
      });
    };
    const m = await measure(`cli-in-process ${q.id}`, call());
    inProcess[q.id] = { ...m.timing, matched: m.first };
    log(`in-process ${q.id}: p95 ${m.timing.p95Ms} ms (median ${m.timing.medianMs}), matched ${m.first}`);
    // The exact statements and parameters the store sends, explained (report: its select is the page query
    // without LIMIT; explained through the same filter).
    if (q.kind !== 'report') {
      const captured: string[] = [];
      await call((c) => explaining(c, captured))();
      plans.push(`-- ${q.id}\n${captured.join('\n')}`);
    } else {
      const run = (await findRun(s, 'latest'))!;
      const captured: string[] = [];
      await s.sql((c) => selectFindings(explaining(c, captured), toStoreFilter(run.id, q.filter)));
      plans.push(`-- ${q.id}\n${captured.join('\n')}`);
    }
  }
  fs.writeFileSync(raw('plans.txt'), plans.join('\n\n') + '\n');

  // ---- the API, against a controller process.
  const started = await startController(dbUrl, {
    queuePrefix: `fqbench-reports-${process.pid}`,
    logFile: raw('controller.log'),
  });
  controller = started.child;
  const { base, token } = started;
  const controllerReadyMs = started.readyMs;
  log(`controller ready in ${controllerReadyMs} ms`);
  const api: Record<string, Timing & { matched: number; bytes: number }> = {};
  for (const q of QUERIES) {
    const m = await measure(`api ${q.id}`, async () => {
      const res = await fetch(base + q.api, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET ${q.api}: ${res.status} ${body.slice(0, 500)}`);
      return body;
    });
    const parsed = JSON.parse(m.first) as { total?: number; violations?: unknown[] };
    const matched = q.kind === 'report' ? (parsed.violations?.length ?? 0) : (parsed.total ?? 0);
    api[q.id] = { ...m.timing, matched, bytes: Buffer.byteLength(m.first) };
    log(`API ${q.id}: p95 ${m.timing.p95Ms} ms (median ${m.timing.medianMs}), matched ${matched}`);
  }
  controller.kill('SIGTERM');
  await new Promise((r) => controller!.once('close', r));
  controller = undefined;

  // ---- the CLI as a process, once per query (Node start-up and the store's open included).
  const cliRun = (label: string, args: string[]) =>
    new Promise<{ wallMs: number; exit: number | null; bytes: number }>((done, fail) => {
      // The report goes to a scratch file (the unfiltered one is tens of MB): only its size is kept.
      const out = path.join(os.tmpdir(), `fq-bench-reports-${process.pid}-${label}.out`);
      const err = fs.openSync(raw(`cli-${label}.err`), 'w');
      const t0 = performance.now();
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        stdio: ['ignore', fs.openSync(out, 'w'), err],
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root' },
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      child.on('error', fail);
      child.on('close', (code) => {
        clearTimeout(timer);
        const bytes = fs.statSync(out).size;
        fs.rmSync(out, { force: true });
        done({ wallMs: Math.round(performance.now() - t0), exit: code, bytes });
      });
    });
  const cliProcess: Record<string, { command: string; wallMs: number; exit: number | null; bytes: number }> =
    {};
  const version = await cliRun('version', ['--version']);
  cliProcess['startup (--version)'] = { command: 'fleetqry --version', ...version };
  for (const q of [
    { id: 'full-report', cli: [] as string[] },
    ...QUERIES.filter((q) => q.kind !== 'summary'),
  ]) {
    if (q.id === 'first-page') continue; // the CLI has no paging: its unfiltered report is `full-report`
    const args = ['report', '--run', 'latest', ...q.cli, '--format', 'json', '--database-url', dbUrl];
    const r = await cliRun(q.id, args);
    cliProcess[q.id] = { command: `fleetqry ${args.join(' ').replace(dbUrl, 'URL')}`, ...r };
    log(`CLI process ${q.id}: ${r.wallMs} ms, exit ${r.exit}, ${r.bytes} bytes`);
  }

  // ---- goals
  const goals: Goal[] = [];
  for (const q of QUERIES) {
    const a = api[q.id]!;
    goals.push({
      item: `API: ${q.label}`,
      figure: `p95 ${a.p95Ms} ms (median ${a.medianMs}, max ${a.maxMs}; ${a.matched} matched)`,
      goal: `p95 < ${GOAL_MS} ms`,
      met: a.p95Ms < GOAL_MS,
    });
  }
  for (const q of QUERIES) {
    const c = inProcess[q.id]!;
    goals.push({
      item: `CLI path (library, in-process): ${q.label}`,
      figure: `p95 ${c.p95Ms} ms (median ${c.medianMs}, max ${c.maxMs}; ${c.matched} matched)`,
      goal: `p95 < ${GOAL_MS} ms`,
      met: c.p95Ms < GOAL_MS,
    });
  }
  goals.push({
    item: '`latest` = the newest succeeded run, by one indexed query',
    figure: `${latestStatements.length} statement(s); with ${HISTORY} older runs: Index Scan Backward using ${indexScan(latestPlanHistory)} (${buffers(latestPlanHistory)} buffers); with ${NEWER_FAILED} newer failed runs as well: ${indexScan(latestPlanFailures)} (${buffers(latestPlanFailures)} buffers); on the bench's ${big.runs.length} runs: ${indexScan(latestPlan) === 'no index scan' ? 'a one-page Seq Scan (cheaper)' : indexScan(latestPlan)}; findRun('latest') p95 ${latest.timing.p95Ms} ms`,
    goal: 'one statement, answered by a backward index scan (no sort, no scan of the runs table) with and without newer failed runs',
    met: latestStatements.length === 1 && latestUsesIndex,
  });

  fs.writeFileSync(raw('reports-samples.json'), JSON.stringify(samples) + '\n');
  writeResult(dir, 'reports', {
    goals,
    method: {
      store: `scratch Postgres database; ${size.runs} succeeded runs of one scan definition, each with its partitions (createRun), filled with INSERT … SELECT … FROM generate_series (tools/bench/scale/big-store.ts), then VACUUM (ANALYZE)`,
      timing: `${WARMUP} untimed warm-ups, then ${REPS} timed calls per query, one at a time (no concurrency); p95 = nearest rank`,
      api: 'GET over HTTP (fetch, keep-alive) to apps/controller/dist/main.js as a process, bearer token from FLEETQRY_ADMIN_TOKEN, run=latest; time until the whole body is read',
      cliInProcess:
        "the calls `fleetqry report` and the API make, timed in this process on an open store: findRun(store, 'latest') then summarizeFindings / queryFindings(limit 50) / loadRunReport",
      cliProcess:
        'node apps/cli/bin/fleetqry.js report --run latest … --format json --database-url URL, once per query: wall time includes Node start-up, module loading and opening (and migration-checking) the store, so it is reported separately and is NOT part of the p95 goal',
      filters: { rule: RULE, hostCidr: CIDR, tag: TAG, status: STATUS },
    },
    size: { ...size, ...big.rows, hosts: 65_536 },
    buildMs: big.buildMs,
    tables,
    latestRun: { number: newest.number, id: newest.id },
    latest: {
      findRun: latest.timing,
      statements: latestStatements.map((st) => st.sql),
      plan: latestPlan.split('\n'),
      planWithHistory: { olderRuns: HISTORY, plan: latestPlanHistory.split('\n') },
      planWithNewerFailures: {
        olderRuns: HISTORY,
        newerFailedRuns: NEWER_FAILED,
        plan: latestPlanFailures.split('\n'),
      },
    },
    api: { controllerReadyMs, ...api },
    cliInProcess: inProcess,
    cliProcess,
    plans: 'raw/plans.txt',
    samples: 'raw/reports-samples.json',
    machine: { cpus: cpus().length, loadavgStart, loadavgEnd: loadavg() },
    postgres: await serverSettings(s),
    code,
  });
} finally {
  if (controller) {
    controller.kill('SIGTERM');
    await new Promise((r) => controller!.once('close', r));
  }
  await store?.close();
  if (process.env['KEEP'] === '1') log(`kept ${dbUrl}`);
  else dropPostgres('reports');
}

/** The statements `fn` sends through node-postgres (the driver under the store's Prisma adapter and pool). */
async function captureStatements(fn: () => Promise<unknown>): Promise<{ sql: string; values: unknown[] }[]> {
  const out: { sql: string; values: unknown[] }[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [config, values] = args as [string | { text?: string; values?: unknown[] }, unknown];
    if (typeof config === 'string') out.push({ sql: config, values: Array.isArray(values) ? values : [] });
    else if (config && typeof config.text === 'string')
      out.push({ sql: config.text, values: config.values ?? (Array.isArray(values) ? values : []) });
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return out;
}

/** EXPLAIN (ANALYZE, BUFFERS) of one statement: the plan as text. */
async function explain(c: SqlConnection, sql: string, params: unknown[]): Promise<string> {
  const r = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  return r.rows.map((row) => row['QUERY PLAN']).join('\n');
}

/** The connection, but every statement is also explained (with its parameters) into `out`. */
function explaining(c: SqlConnection, out: string[]): SqlConnection {
  return {
    ...c,
    async query<R>(sql: string, params?: unknown[]) {
      out.push(
        `${sql.trim()}\n-- params: ${JSON.stringify(params ?? [])}\n${await explain(c, sql, params ?? [])}`,
      );
      return c.query<R>(sql, params);
    },
  };
}
