/**
 * Observation ingest throughput into PGlite and Postgres: the store's unnest() path at several batch sizes,
 * a retried (fully duplicate) pass, and the multi-row VALUES alternative for comparison.
 *
 *   npx tsx tools/bench/ingest-bench.ts [--rows 100000] [--database-url postgres://…/postgres]
 *
 * Writes tools/bench/results/ingest-<date>.json. The Postgres URL is an admin URL: a scratch database is
 * created and dropped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { createRun, createStore, ingestObservations, type ObservationRow, type Store } from '@fleetqry/store';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'database-url': {
      type: 'string',
      default: process.env['FLEETQRY_TEST_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    only: { type: 'string' },
  },
});
const N = Number(values.rows);

function makeRows(n: number): ObservationRow[] {
  const now = new Date();
  return Array.from({ length: n }, (_, i) => ({
    host: `host-${i >> 6}.lab`,
    address: `10.${(i >> 14) & 255}.${(i >> 6) & 255}.${i & 63}`,
    proto: i % 3 === 0 ? 'udp' : 'tcp',
    port: 1 + (i % 1024),
    check: 'port',
    state: i % 7 === 0 ? 'LISTENING' : 'FILTERED',
    reason: i % 7 === 0 ? 'syn-ack' : 'timeout',
    service: i % 7 === 0 ? 'http' : null,
    data: i % 7 === 0 ? { rttMs: 0.42, banner: 'nginx' } : null,
    evidence: null,
    observedAt: now,
  }));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

/** The alternative: one INSERT … VALUES (…),(…) per batch, 12 parameters a row (≤ 2730 rows under 32767). */
async function ingestValues(
  store: Store,
  runId: string,
  rows: ObservationRow[],
  batch: number,
): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const params: unknown[] = [];
    const tuples = chunk.map((r) => {
      const p = params.length;
      params.push(
        runId,
        r.host,
        r.address,
        r.proto,
        r.port,
        r.check,
        r.state,
        r.reason,
        r.service ?? null,
        r.data ? JSON.stringify(r.data) : null,
        r.evidence ?? null,
        r.observedAt,
      );
      return `($${p + 1}::uuid,$${p + 2},$${p + 3},$${p + 4},$${p + 5}::int,$${p + 6},$${p + 7},$${p + 8},$${p + 9},$${p + 10}::jsonb,$${p + 11},$${p + 12}::timestamptz)`;
    });
    await store.prisma.$executeRawUnsafe(
      `INSERT INTO observations (run_id,host,address,proto,port,"check",state,reason,service,data,evidence,observed_at)
       VALUES ${tuples.join(',')} ON CONFLICT (run_id,address,proto,port,"check") DO NOTHING`,
      ...params,
    );
  }
}

async function benchBackend(kind: 'pglite' | 'postgres') {
  let cleanup: () => Promise<void>;
  let store: Store;
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'fleetqry-bench-'));
    store = await createStore({ dataDir: dir });
    cleanup = () => rm(dir, { recursive: true, force: true });
  } else {
    const name = `fleetqry_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: values['database-url'] });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(values['database-url']!);
    url.pathname = `/${name}`;
    store = await createStore({ databaseUrl: url.toString(), migrate: true });
    cleanup = async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    };
  }
  const rows = makeRows(N);
  const results: Record<string, number> = {};
  try {
    for (const batch of [1000, 5000, 20000]) {
      const run = (await createRun(store.prisma, { trigger: 'cli' })).run;
      const s = await timed(() => ingestObservations(store.prisma, run.id, rows, batch));
      results[`unnest_batch_${batch}_rows_per_s`] = Math.round(N / s);
      if (batch === 5000) {
        const again = await timed(() => ingestObservations(store.prisma, run.id, rows, batch));
        results[`unnest_retry_all_duplicates_rows_per_s`] = Math.round(N / again);
      }
      process.stderr.write(
        `${kind} unnest batch ${batch}: ${results[`unnest_batch_${batch}_rows_per_s`]} rows/s\n`,
      );
    }
    const run = (await createRun(store.prisma, { trigger: 'cli' })).run;
    const s = await timed(() => ingestValues(store, run.id, rows, 2500));
    results['values_batch_2500_rows_per_s'] = Math.round(N / s);
    process.stderr.write(
      `${kind} multi-row VALUES batch 2500: ${results['values_batch_2500_rows_per_s']} rows/s\n`,
    );
  } finally {
    await store.close();
    await cleanup();
  }
  return results;
}

const report = {
  date: new Date().toISOString(),
  rows: N,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  note: 'rows/s of observations; each figure is one pass into an empty run (retry: the same rows again)',
  pglite: values.only === 'postgres' ? undefined : await benchBackend('pglite'),
  postgres: values.only === 'pglite' ? undefined : await benchBackend('postgres'),
};
mkdirSync('tools/bench/results', { recursive: true });
const file = join('tools/bench/results', `ingest-${report.date.slice(0, 10)}.json`);
writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
process.stdout.write(`${JSON.stringify(report, null, 2)}\nwritten to ${file}\n`);
