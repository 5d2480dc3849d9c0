/**
 * Issue 10 items 1, 3, 4 and 5 on one machine in one run:
 *  - `fleetqry query` vs `fleetqry sweep` (PGlite and Postgres, first run and second run with the delta) on a
 *    /16 of loopback addresses × TCP 1-16 (1 048 576 closed probes): wall time ratio and peak RSS;
 *  - the 10M case: the /16 × TCP 1-160 swept into Postgres, peak RSS;
 *  - storage: table + index bytes per closed probe of a stored run;
 *  - ingest: the store's COPY-through-staging path against `psql \copy` of the same rows into the same table.
 *
 *   npx tsx tools/bench/scale/sweep.ts [query] [pglite] [postgres] [10m] [storage] [ingest]   (default: all)
 *   RUNS=2 (repetitions of the timed 1M runs; medians are reported)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';

import { createRun, createStore, ingestResults, type ObservationRow } from '@fleetqry/store';

import {
  assertSafeScale,
  benchConfig,
  benchInventory,
  dropPostgres,
  median,
  outDir,
  psql,
  queryArgs,
  runCli,
  scratchPostgres,
  SCALE_FIRST,
  SCALE_LAST,
  SCALE_NET,
  writeResult,
  type Goal,
  type Measured,
} from './lib.js';

const RUNS = Math.max(1, Math.min(10, Number(process.env['RUNS'] ?? 2)));
const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);
const MB = 1024;

const dir = outDir();
const config = benchConfig(dir);
assertSafeScale(SCALE_FIRST, SCALE_LAST, 1, 160);
const inventory1m = benchInventory(dir, 'scale-1m', [SCALE_NET], '1-16');
const inventory10m = benchInventory(dir, 'scale-10m', [SCALE_NET], '1-160');
const sweepArgs = (inv: string, extra: string[]) => [
  'sweep',
  '-i',
  inv,
  '-nr',
  '--config',
  config,
  '--no-progress',
  '--timings',
  '--format',
  'json',
  ...extra,
];
const summarise = (m: Measured) => ({
  wallS: +m.wall.toFixed(2),
  userS: m.user,
  sysS: m.sys,
  maxRssMb: Math.round(m.maxRssKb / MB),
  loadavg1: m.loadavg1,
  ...stagesOf(m.label),
});

/** A sweep's `--timings` line (where its wall time went), from its stderr; nothing for other commands. */
function stagesOf(label: string): { stages?: string } {
  const err = path.join(dir, 'raw', `${label}.err`);
  const line = fs.existsSync(err) ? fs.readFileSync(err, 'utf8').match(/^stages: (.*)$/m)?.[1] : undefined;
  return line ? { stages: line } : {};
}

async function timeQuery(i: number): Promise<Measured> {
  return runCli(dir, `query.${i}`, queryArgs(config, SCALE_NET, '1-16'));
}

/** First and second run of the 1M sweep on one store, RUNS times (each repetition on a fresh store). */
async function timeSweeps(kind: 'pglite' | 'postgres') {
  const first: Measured[] = [];
  const second: Measured[] = [];
  for (let i = 0; i < RUNS; i++) {
    const store =
      kind === 'pglite'
        ? ['--data-dir', fs.mkdtempSync(path.join(dir, 'raw', 'pglite-'))]
        : ['--database-url', scratchPostgres(`sweep${i}`)];
    first.push(await runCli(dir, `sweep-${kind}.${i}.first`, sweepArgs(inventory1m, store)));
    second.push(await runCli(dir, `sweep-${kind}.${i}.second`, sweepArgs(inventory1m, store)));
    checkReport(`sweep-${kind}.${i}.second`);
    if (kind === 'pglite') fs.rmSync(store[1]!, { recursive: true, force: true });
    else if (i < RUNS - 1) dropPostgres(`sweep${i}`);
  }
  return { first, second };
}

/** The sweep's JSON report must account for every probe of the run (nothing lost on the way). */
function checkReport(label: string): void {
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'raw', `${label}.out`), 'utf8')) as {
    run: { hosts: number; totalProbes: number; doneProbes: number; status: string };
  };
  if (report.run.status !== 'succeeded' || report.run.doneProbes !== report.run.totalProbes)
    throw new Error(
      `${label}: run ${report.run.status}, ${report.run.doneProbes}/${report.run.totalProbes} probes`,
    );
}

const goals: Goal[] = [];
const result: Record<string, unknown> = { loadavgStart: loadavg(), runs: RUNS };

let queryWall = NaN;
if (want('query') || want('pglite') || want('postgres')) {
  const q: Measured[] = [];
  for (let i = 0; i < RUNS; i++) q.push(await timeQuery(i));
  queryWall = median(q.map((m) => m.wall));
  result['query'] = { medianWallS: +queryWall.toFixed(2), runs: q.map(summarise) };
}

for (const kind of ['pglite', 'postgres'] as const) {
  if (!want(kind)) continue;
  const { first, second } = await timeSweeps(kind);
  for (const [which, runs] of [
    ['first run', first],
    ['second run (delta)', second],
  ] as const) {
    const wall = median(runs.map((m) => m.wall));
    const rss = Math.max(...runs.map((m) => m.maxRssKb)) / MB;
    goals.push({
      item: `1. sweep on ${kind}, ${which}: wall vs query`,
      figure: `${wall.toFixed(2)} s = ${(wall / queryWall).toFixed(2)}× query (${queryWall.toFixed(2)} s)`,
      goal: '≤ 1.5×',
      met: wall <= 1.5 * queryWall,
    });
    goals.push({
      item: `1. sweep on ${kind}, ${which}: peak RSS`,
      figure: `${Math.round(rss)} MB`,
      goal: '≤ 512 MB',
      met: rss <= 512,
    });
  }
  result[`sweep-${kind}`] = { first: first.map(summarise), second: second.map(summarise) };
}

if (want('storage') && want('postgres')) {
  // The last Postgres store holds two 1M runs: measure the second one's partitions.
  const url = scratchPostgresUrl(`sweep${RUNS - 1}`);
  const runId = psql(url, `SELECT id FROM runs ORDER BY number DESC LIMIT 1`);
  const part = (t: string) => `${t}_${runId.replace(/-/g, '')}`;
  const bytes = Number(
    psql(
      url,
      `SELECT pg_total_relation_size('${part('run_coverage')}') + pg_total_relation_size('${part('observations')}')`,
    ),
  );
  const closed = Number(
    psql(
      url,
      `SELECT coalesce(sum((SELECT sum(upper(r) - lower(r)) FROM unnest(closed) r)), 0) FROM ${part('run_coverage')}`,
    ),
  );
  const perProbe = bytes / closed;
  result['storage'] = { runId, bytes, closedProbes: closed, bytesPerClosedProbe: +perProbe.toFixed(2) };
  goals.push({
    item: '4. storage per closed probe (table + index, pg_total_relation_size)',
    figure: `${perProbe.toFixed(2)} B (${(bytes / 1e6).toFixed(1)} MB for ${closed} closed probes)`,
    goal: '≤ 16 B',
    met: perProbe <= 16,
  });
  dropPostgres(`sweep${RUNS - 1}`);
}

if (want('10m')) {
  const url = scratchPostgres('tenm');
  const m = await runCli(dir, 'sweep-10m', sweepArgs(inventory10m, ['--database-url', url]), {
    limitSec: 1800,
  });
  checkReport('sweep-10m');
  const probesDone = Number(psql(url, `SELECT done_probes FROM runs ORDER BY number DESC LIMIT 1`));
  result['10m'] = { ...summarise(m), probes: probesDone };
  goals.push({
    item: `3. 10M probes (/16 × TCP 1-160) on Postgres: peak RSS`,
    figure: `${Math.round(m.maxRssKb / MB)} MB (${m.wall.toFixed(1)} s, ${probesDone} probes)`,
    goal: '≤ 512 MB',
    met: m.maxRssKb / MB <= 512,
  });
  dropPostgres('tenm');
}

if (want('ingest')) {
  const r = await ingestBench();
  result['ingest'] = r;
  goals.push({
    item: '5. ingest rate vs psql \\copy of the same rows into the same table',
    figure: `${Math.round(r.storeRowsPerS)} rows/s vs ${Math.round(r.psqlRowsPerS)} rows/s = ${(r.storeRowsPerS / r.psqlRowsPerS).toFixed(2)}×`,
    goal: '≥ 0.5×',
    met: r.storeRowsPerS >= 0.5 * r.psqlRowsPerS,
  });
}

writeResult(dir, 'sweep', { goals, ...result, loadavgEnd: loadavg() });

function scratchPostgresUrl(name: string): string {
  const url = new URL(
    process.env['FLEETQRY_TEST_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  url.pathname = `/fq_bench_${name}`;
  return url.toString();
}

/**
 * N informative rows (the kind that are stored as rows: open and filtered ports with protocol data), written
 * once as COPY text for psql and once through the store's ingest path, each into a fresh run's partition.
 */
async function ingestBench() {
  const N = Number(process.env['INGEST_ROWS'] ?? 500_000);
  const BATCH = 50_000;
  const url = scratchPostgres('ingest');
  const store = await createStore({ databaseUrl: url, migrate: true });
  try {
    const now = new Date();
    const rows: ObservationRow[] = Array.from({ length: N }, (_, i) => ({
      host: `h${i >> 4}.scale.test`,
      address: `127.78.${(i >> 12) & 255}.${(i >> 4) & 255}`,
      proto: 'tcp',
      port: 1 + (i & 15) + ((i >> 20) << 4),
      check: 'port',
      state: i % 5 === 0 ? 'LISTENING' : 'FILTERED',
      reason: i % 5 === 0 ? 'syn-ack' : 'timeout',
      service: i % 5 === 0 ? 'http' : null,
      data: i % 5 === 0 ? { rttMs: 0.4, banner: 'nginx/1.22.1', http: { server: 'nginx/1.22.1' } } : null,
      evidence: null,
      observedAt: now,
    }));
    const psqlRun = (await createRun(store.prisma, { trigger: 'cli' })).run;
    const storeRun = (await createRun(store.prisma, { trigger: 'cli' })).run;
    const tsv = path.join(dir, 'raw', 'ingest.tsv');
    fs.writeFileSync(
      tsv,
      rows
        .map((r) =>
          [
            psqlRun.id,
            r.host,
            r.address,
            r.proto,
            r.port,
            r.check,
            r.state,
            r.reason,
            r.service ?? '\\N',
            r.data ? JSON.stringify(r.data) : '\\N',
            '\\N',
            now.toISOString(),
          ].join('\t'),
        )
        .join('\n') + '\n',
    );
    let t = performance.now();
    execFileSync('psql', [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      url,
      '-c',
      `\\copy observations (run_id, host, address, proto, port, "check", state, reason, service, data, evidence, observed_at) FROM '${tsv}'`,
    ]);
    const psqlS = (performance.now() - t) / 1000;
    t = performance.now();
    let inserted = 0;
    for (let i = 0; i < N; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      inserted += (await store.sql((c) => c.transaction((tx) => ingestResults(tx, storeRun.id, batch, []))))
        .inserted;
    }
    const storeS = (performance.now() - t) / 1000;
    if (inserted !== N) throw new Error(`ingest stored ${inserted} of ${N} rows`);
    // A retried chunk must store nothing twice.
    const again = await store.sql((c) =>
      c.transaction((tx) => ingestResults(tx, storeRun.id, rows.slice(0, BATCH), [])),
    );
    if (again.inserted !== 0) throw new Error('a retried batch inserted rows again');
    fs.rmSync(tsv);
    return { rows: N, batch: BATCH, psqlS, storeS, psqlRowsPerS: N / psqlS, storeRowsPerS: N / storeS };
  } finally {
    await store.close();
    dropPostgres('ingest');
  }
}
