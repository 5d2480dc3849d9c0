/**
 * Issue 10 item 8: retention drops old runs without blocking ingest and without a long vacuum. On a scratch
 * Postgres database:
 *  1. builds a store (30 runs × 300k observations, per-host coverage, 20k findings per run: big-store.ts) and,
 *     for the comparison, non-partitioned copies of its three run tables with the same indexes;
 *  2. starts a new running run and ingests into it in batches (5 000 rows each through the pipeline's ingest
 *     step, libs/sweep ingestBatch: ingestResults and the run's progress UPDATE in one transaction), timing
 *     every batch: a baseline, then while pruneRuns({ keepRuns: 5 }) runs (sampling lock waits), then after;
 *  3. records the prune's duration, the runs dropped, the partitioned tables' sizes before and after
 *     (pg_total_relation_size over pg_partition_tree) and the dead tuples left behind;
 *  4. the alternative it replaces: DELETE … WHERE run_id = … of the same runs from the copies, then VACUUM
 *     (and VACUUM FULL, the only way the copies give the space back), timed, with sizes and dead tuples.
 *
 *   npx tsc -b tsconfig.build.json && npx tsx tools/bench/scale/retention.ts
 *   OBS=600000 FINDINGS=5000 RUNS=10 npx tsx tools/bench/scale/retention.ts   (a quick trial)
 *   OBS (observations over all runs), FINDINGS (per run), RUNS, KEEP_RUNS (5), BATCH (5000),
 *   BASELINE_BATCHES (60), AFTER_BATCHES (30), KEEP=1 (keep the database), OUT=dir
 */
import fs from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

import {
  createRun,
  createStore,
  pruneRuns,
  startRun,
  type PrunedRun,
  type SqlConnection,
  type Store,
} from '@fleetqry/store';
import { ingestBatch } from '@fleetqry/sweep';

import {
  buildBigStore,
  codeVersion,
  observationBatch,
  partitionedSizes,
  serverSettings,
  sizeFromEnv,
  type PartitionedSize,
} from './big-store.js';
import { dropPostgres, median, outDir, percentile, scratchPostgres, writeResult, type Goal } from './lib.js';

const int = (name: string, d: number, min: number, max: number) =>
  Math.max(min, Math.min(max, Math.round(Number(process.env[name] ?? d))));
const size = sizeFromEnv({ runs: 30, observations: 9_000_000, findingsPerRun: 20_000 });
const KEEP_RUNS = int('KEEP_RUNS', 5, 1, 100);
const BATCH = int('BATCH', 5000, 100, 50_000);
const BASELINE_BATCHES = int('BASELINE_BATCHES', 60, 10, 1000);
const AFTER_BATCHES = int('AFTER_BATCHES', 30, 0, 1000);
const WARMUP_BATCHES = 5;
/** Bounds on the ingest loop while the prune runs: batches and time. */
const MAX_DURING_BATCHES = 2000;
const MAX_DURING_MS = 600_000;
/** Ingest must not stall beyond this multiple of its normal p95 while the prune runs. */
const STALL_FACTOR = 2;
const TABLES = ['observations', 'run_coverage', 'findings'] as const;

const dir = outDir();
const log = (line: string) => console.log(`[retention] ${line}`);
const loadavgStart = loadavg();
const dbUrl = scratchPostgres('retention');
let store: Store | undefined;

interface Batch {
  phase: 'baseline' | 'during' | 'after' | 'during-delete' | 'during-vacuum';
  /** Start, milliseconds after the baseline's first batch. */
  atMs: number;
  ms: number;
  inserted: number;
}

const r2 = (x: number) => +x.toFixed(2);
const stats = (xs: number[]) =>
  xs.length
    ? {
        batches: xs.length,
        p50Ms: r2(median(xs)),
        p95Ms: r2(percentile(xs, 95)),
        maxMs: r2(Math.max(...xs)),
      }
    : { batches: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 };
const since = (t0: number) => Math.round(performance.now() - t0);
const MB = (bytes: number) => +(bytes / 1048576).toFixed(1);

try {
  store = await createStore({ databaseUrl: dbUrl, migrate: true, poolSize: 4 });
  const code = codeVersion(store);
  const s = store;
  log(
    `building: ${size.runs} runs, ${size.observations} observations, ${size.findingsPerRun} findings per run`,
  );
  const big = await buildBigStore(s, size, { scan: 'bench-retention', log });
  log(`built in ${(big.buildMs.total / 1000).toFixed(1)} s`);

  // ---- the non-partitioned copies (what the store was before partitions), same indexes.
  let t = performance.now();
  await s.sql(async (c) => {
    await c.query(`SET maintenance_work_mem = '256MB'`);
    for (const table of TABLES) {
      await c.query(`CREATE TABLE "flat_${table}" (LIKE "${table}" INCLUDING ALL)`);
      await c.query(`INSERT INTO "flat_${table}" SELECT * FROM "${table}"`);
      await c.query(`VACUUM (ANALYZE) "flat_${table}"`);
    }
    await c.query('RESET maintenance_work_mem'); // the session goes back to the pool (the VACUUMs below)
    // The build's dirty pages and WAL are written now, not during the measurements.
    await c.query('CHECKPOINT');
  });
  const flatBuildMs = since(t);
  log(`non-partitioned copies built in ${flatBuildMs} ms`);

  // ---- before: a new running run to ingest into, the runs the prune will drop and their bytes.
  const { run: ingestRun } = await createRun(s.prisma, {
    trigger: 'schedule',
    scanDefinitionId: big.definitionId,
    policyName: 'baseline',
  });
  await startRun(s.prisma, ingestRun.id);
  const victims = await s.sql((c) => pruneRuns(c, { keepRuns: KEEP_RUNS, dryRun: true }));
  const victimBytes = await s.sql((c) => partitionBytes(c, victims));
  const sizesBefore = await partitionedSizes(s);
  const flatBefore = await flatSizes(s);
  const deadBefore = await deadTuples(s, TABLES);

  // ---- ingest into the new run: baseline, during the prune, after.
  let next = 0;
  const ingestOne = async () => {
    const rows = observationBatch(next++, BATCH);
    const t0 = performance.now();
    // The pipeline's ingest step (libs/sweep): the rows, and the run's progress in the same transaction.
    const r = await s.sql((c) => c.transaction((tx) => ingestBatch(tx, ingestRun.id, rows, [])));
    if (r.inserted !== rows.length)
      throw new Error(`batch ${next - 1}: ${r.inserted} of ${rows.length} inserted`);
    return { t0, ms: performance.now() - t0, inserted: r.inserted };
  };
  for (let i = 0; i < WARMUP_BATCHES; i++) await ingestOne();
  const batches: Batch[] = [];
  const origin = performance.now();
  const record = (phase: Batch['phase'], b: { t0: number; ms: number; inserted: number }) =>
    batches.push({ phase, atMs: r2(b.t0 - origin), ms: r2(b.ms), inserted: b.inserted });
  for (let i = 0; i < BASELINE_BATCHES; i++) record('baseline', await ingestOne());
  log(`baseline: ${JSON.stringify(stats(batches.map((b) => b.ms)))}`);

  /** Runs `work` while ingesting batch after batch (bounded); its result and duration. */
  /**
   * Runs `work` on its own pooled session while ingesting batch after batch (bounded), and samples every
   * 100 ms which sessions of this database wait on a lock: `work`'s own session (it may wait for the
   * ingest's transactions: DETACH … CONCURRENTLY does) apart from the others (the ingest: a blocked batch).
   */
  const ingestWhile = async <T>(phase: Batch['phase'], work: (c: SqlConnection) => Promise<T>) => {
    let done = false;
    let workPid = -1;
    const start = performance.now();
    const running = s
      .sql(async (c) => {
        workPid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const result = await work(c);
        await flushStats(c);
        return result;
      })
      .finally(() => (done = true));
    running.catch(() => {}); // awaited below
    const waits = {
      samples: 0,
      samplesWithIngestWaiting: 0,
      samplesWithWorkWaiting: 0,
      ingestWaiting: new Set<string>(),
      workWaiting: new Set<string>(),
    };
    const sampler = (async () => {
      while (!done && performance.now() - start < MAX_DURING_MS) {
        const r = await s.sql((c) =>
          c.query<{ pid: number; wait: string; query: string }>(
            `SELECT pid, wait_event AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 80) AS query
               FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
          ),
        );
        waits.samples++;
        const mine = r.rows.filter((row) => row.pid === workPid);
        const others = r.rows.filter((row) => row.pid !== workPid);
        if (others.length) waits.samplesWithIngestWaiting++;
        if (mine.length) waits.samplesWithWorkWaiting++;
        for (const row of others) waits.ingestWaiting.add(`${row.wait}: ${row.query}`);
        for (const row of mine) waits.workWaiting.add(`${row.wait}: ${row.query}`);
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    let n = 0;
    while (!done && n < MAX_DURING_BATCHES && performance.now() - start < MAX_DURING_MS) {
      record(phase, await ingestOne());
      n++;
    }
    const result = await running;
    await sampler;
    return {
      result,
      ms: Math.round(performance.now() - start),
      batches: n,
      lockWaits: { ...waits, ingestWaiting: [...waits.ingestWaiting], workWaiting: [...waits.workWaiting] },
    };
  };
  const prune = await ingestWhile('during', (c) => pruneRuns(c, { keepRuns: KEEP_RUNS }));
  const pruned: PrunedRun[] = prune.result;
  const pruneMs = prune.ms;
  log(`prune: ${pruned.length} runs dropped in ${pruneMs} ms; ${prune.batches} batches ingested meanwhile`);
  for (let i = 0; i < AFTER_BATCHES; i++) record('after', await ingestOne());

  // ---- after
  await settle();
  const sizesAfter = await partitionedSizes(s);
  const ingestBytes = await s.sql((c) => partitionBytes(c, [{ id: ingestRun.id, number: ingestRun.number }]));
  const deadAfterPrune = await deadTuples(s, [...TABLES, 'runs']);
  const leftOver = await s.sql((c) =>
    c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relname = ANY($1::text[])`, [
      victims.flatMap((v) => TABLES.map((tb) => `${tb}_${v.id.replace(/-/g, '')}`)),
    ]),
  );

  // ---- the alternative: DELETE the same runs' rows from the copies, then VACUUM.
  // (Ingest keeps going into the partitioned store meanwhile: no lock is shared, so what it shows is the
  // I/O and CPU contention of the row deletes and the vacuum on this machine, for reference.)
  const perRunDeleteMs: number[] = [];
  const deletion = await ingestWhile('during-delete', async (c) => {
    for (const v of victims) {
      const t1 = performance.now();
      await c.transaction(async (tx) => {
        for (const table of TABLES)
          await tx.query(`DELETE FROM "flat_${table}" WHERE "run_id" = $1::uuid`, [v.id]);
      });
      perRunDeleteMs.push(performance.now() - t1);
    }
  });
  const deleteMs = deletion.ms;
  await settle();
  const flatAfterDelete = await flatSizes(s);
  const deadAfterDelete = await deadTuples(
    s,
    TABLES.map((tb) => `flat_${tb}`),
  );
  log(`DELETE of ${victims.length} runs from the copies: ${deleteMs} ms`);
  const vacuum = await ingestWhile('during-vacuum', async (c) => {
    for (const table of TABLES) await c.query(`VACUUM "flat_${table}"`);
  });
  const vacuumMs = vacuum.ms;
  await settle();
  const flatAfterVacuum = await flatSizes(s);
  const deadAfterVacuum = await deadTuples(
    s,
    TABLES.map((tb) => `flat_${tb}`),
  );
  log(`VACUUM of the copies: ${vacuumMs} ms`);
  t = performance.now();
  await s.sql(async (c) => {
    for (const table of TABLES) await c.query(`VACUUM FULL "flat_${table}"`);
  });
  const vacuumFullMs = since(t);
  const flatAfterVacuumFull = await flatSizes(s);
  log(`VACUUM FULL of the copies: ${vacuumFullMs} ms`);

  // ---- figures and goals
  const ms = (phase: Batch['phase']) => batches.filter((b) => b.phase === phase).map((b) => b.ms);
  const base = stats(ms('baseline'));
  const dur = stats(ms('during'));
  const aft = stats(ms('after'));
  const limit = r2(STALL_FACTOR * base.p95Ms);
  const sum = (x: Record<string, PartitionedSize>) => Object.values(x).reduce((n, v) => n + v.bytes, 0);
  const before = sum(sizesBefore);
  const after = sum(sizesAfter);
  const freedBytes = before + ingestBytes - after;
  // The run tables only: `runs` keeps a dead row per dropped run (a few bytes each, for autovacuum).
  const deadPrune = TABLES.reduce(
    (n, tb) => n + deadAfterPrune[tb]!.nDeadTup + deadAfterPrune[tb]!.deadTuples,
    0,
  );
  const goals: Goal[] = [
    {
      item: 'retention does not stall ingest',
      figure: `slowest batch during the prune ${dur.maxMs} ms (p95 ${dur.p95Ms}, ${dur.batches} batches of ${BATCH} rows over ${pruneMs} ms); baseline p95 ${base.p95Ms} ms; an ingest session waited on a lock in ${prune.lockWaits.samplesWithIngestWaiting} of ${prune.lockWaits.samples} samples (100 ms apart)`,
      goal: `every batch that overlaps the prune ≤ ${STALL_FACTOR}× the baseline p95 (≤ ${limit} ms)`,
      met: dur.batches > 0 && dur.maxMs <= limit,
    },
    {
      item: 'retention needs no VACUUM',
      figure: `${pruned.length} runs dropped in ${(pruneMs / 1000).toFixed(2)} s; ${MB(freedBytes)} MB freed at once (victims' partitions: ${MB(victimBytes)} MB); ${deadPrune} dead tuples left in the run tables; ${leftOver.rows[0]!.n} victim partitions left (the DELETE it replaces: ${(deleteMs / 1000).toFixed(2)} s + VACUUM ${(vacuumMs / 1000).toFixed(2)} s, ${TABLES.reduce((n, tb) => n + deadAfterDelete[`flat_${tb}`]!.nDeadTup, 0)} dead tuples, space back only after VACUUM FULL ${(vacuumFullMs / 1000).toFixed(2)} s)`,
      goal: '0 dead tuples left behind and the victims’ partitions gone (their bytes returned at once)',
      met: deadPrune === 0 && leftOver.rows[0]!.n === 0 && freedBytes >= 0.95 * victimBytes,
    },
  ];
  fs.writeFileSync(path.join(dir, 'raw', 'retention-batches.json'), JSON.stringify(batches) + '\n');
  writeResult(dir, 'retention', {
    goals,
    method: {
      store: `scratch Postgres database; ${size.runs} succeeded runs of one scan definition with their partitions (createRun), filled with INSERT … SELECT … FROM generate_series (tools/bench/scale/big-store.ts), VACUUM (ANALYZE), CHECKPOINT`,
      ingest: `a new running run; batches of ${BATCH} LISTENING observations through store.sql(c => c.transaction(tx => ingestBatch(tx, run, observations, []))) — libs/sweep's ingest step: the store's ingestResults plus the run's progress UPDATE (addRunProgress) in the same transaction, as the pipeline does (the UPDATE of runs is what the prune's locks on runs could hold up) — one after another; ${WARMUP_BATCHES} untimed, ${BASELINE_BATCHES} baseline, then as many as fit while pruneRuns runs (bounded: ${MAX_DURING_BATCHES} batches, ${MAX_DURING_MS / 1000} s), then ${AFTER_BATCHES} after`,
      prune: `pruneRuns({ keepRuns: ${KEEP_RUNS} }) on its own pooled connection in the same process (DETACH PARTITION CONCURRENTLY + DROP TABLE per run and table, then DELETE FROM runs)`,
      locksOnRuns:
        'DETACH PARTITION … CONCURRENTLY and DROP TABLE of a detached partition also lock runs (the partition FK’s triggers live on it; findings also lock waivers): while they wait for a transaction holding a lock on runs, later transactions that lock runs (the ingest step’s progress UPDATE and FK checks) queue behind them. The stall is bounded by the longest such transaction; here the only ones are the ingest batches themselves',
      stallCriterion: `a batch is "during" when it started before the prune returned; the goal is met when the slowest of them took at most ${STALL_FACTOR}× the baseline p95. Supporting evidence: pg_stat_activity sampled every 100 ms for sessions waiting on a lock (the prune's own session apart: DETACH … CONCURRENTLY waits for running ingest transactions, not the other way round)`,
      noVacuumCriterion:
        "dead tuples (pg_stat_user_tables.n_dead_tup, then pgstattuple) summed over every partition of observations, run_coverage and findings after the prune are 0, no victim partition is left, and the partitioned tables shrank by ≥ 95% of the victims' partition bytes (measured before)",
      alternative:
        'non-partitioned copies of the three tables (CREATE TABLE … (LIKE … INCLUDING ALL), INSERT … SELECT, VACUUM ANALYZE), the same runs deleted with DELETE … WHERE run_id = $1 (one transaction per run), then VACUUM, then VACUUM FULL (the only way to give the space back; it takes an ACCESS EXCLUSIVE lock, which would block ingest)',
    },
    size: { ...size, ...big.rows, hosts: 65_536 },
    buildMs: { ...big.buildMs, flatCopies: flatBuildMs },
    prune: {
      ms: pruneMs,
      runsDropped: pruned.length,
      dropped: pruned.map((p) => p.number),
      keepRuns: KEEP_RUNS,
      victimPartitionsMB: MB(victimBytes),
      freedMB: MB(freedBytes),
      lockWaits: prune.lockWaits,
      deadTuplesBefore: deadBefore,
      deadTuplesAfter: deadAfterPrune,
    },
    ingest: {
      batchRows: BATCH,
      baseline: base,
      duringPrune: dur,
      after: aft,
      duringDeleteOfCopies: stats(ms('during-delete')),
      duringVacuumOfCopies: stats(ms('during-vacuum')),
      maxStallMs: r2(dur.maxMs - base.p50Ms),
      stallLimitMs: limit,
      timeline: 'raw/retention-batches.json',
    },
    sizesMB: {
      before: mapSizes(sizesBefore),
      after: mapSizes(sizesAfter),
      ingestRunPartitionsAfter: MB(ingestBytes),
    },
    alternative: {
      deleteMs,
      lockWaitsDuringDelete: deletion.lockWaits,
      perRunDeleteMs: stats(perRunDeleteMs),
      vacuumMs,
      vacuumFullMs,
      totalMs: deleteMs + vacuumMs,
      deadTuplesAfterDelete: deadAfterDelete,
      deadTuplesAfterVacuum: deadAfterVacuum,
      sizesMB: {
        before: flatBefore,
        afterDelete: flatAfterDelete,
        afterVacuum: flatAfterVacuum,
        afterVacuumFull: flatAfterVacuumFull,
      },
    },
    comparison: {
      partitionedPruneMs: pruneMs,
      deletePlusVacuumMs: deleteMs + vacuumMs,
      ratio: r2((deleteMs + vacuumMs) / Math.max(1, pruneMs)),
    },
    machine: { cpus: cpus().length, loadavgStart, loadavgEnd: loadavg() },
    postgres: await serverSettings(s),
    code,
  });
} finally {
  await store?.close();
  if (process.env['KEEP'] === '1') log(`kept ${dbUrl}`);
  else dropPostgres('retention');
}

function mapSizes(x: Record<string, PartitionedSize>) {
  return Object.fromEntries(
    Object.entries(x).map(([k, v]) => [k, { MB: MB(v.bytes), partitions: v.partitions, rows: v.rows }]),
  );
}

/** Bytes (table, TOAST, indexes) of the runs' partitions of the three run tables. */
async function partitionBytes(c: SqlConnection, runs: readonly PrunedRun[]): Promise<number> {
  const names = runs.flatMap((v) => TABLES.map((tb) => `${tb}_${v.id.replace(/-/g, '')}`));
  const r = await c.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(oid)), 0)::bigint AS bytes FROM pg_class
      WHERE relname = ANY($1::text[]) AND relkind = 'r'`,
    [names],
  );
  return Number(r.rows[0]!.bytes);
}

/** The copies' sizes in MB (table, TOAST and indexes) with their live rows. */
async function flatSizes(st: Store): Promise<Record<string, { MB: number; heapMB: number }>> {
  const out: Record<string, { MB: number; heapMB: number }> = {};
  for (const table of TABLES) {
    const r = await st.sql((c) =>
      c.query<{ total: string; heap: string }>(
        `SELECT pg_total_relation_size($1::regclass)::bigint AS total, pg_relation_size($1::regclass)::bigint AS heap`,
        [`flat_${table}`],
      ),
    );
    out[`flat_${table}`] = { MB: MB(Number(r.rows[0]!.total)), heapMB: MB(Number(r.rows[0]!.heap)) };
  }
  return out;
}

interface DeadTuples {
  /** pg_stat_user_tables.n_dead_tup (what autovacuum acts on), read before anything scans the table. */
  nDeadTup: number;
  /** pgstattuple's count after that (its scan prunes pages on the way, so it can read lower). */
  deadTuples: number;
  deadMB: number;
  /** Free space inside the files (reusable by the table, not returned to the file system). */
  freeMB: number;
}

/** Dead tuples per table, summed over the leaf partitions of a partitioned one. */
async function deadTuples(st: Store, tables: readonly string[]): Promise<Record<string, DeadTuples>> {
  await st.sql((c) => c.query('CREATE EXTENSION IF NOT EXISTS pgstattuple'));
  // The leaf partitions of a partitioned table; a plain table itself (pg_partition_tree lists nothing for it).
  const leaves = `SELECT relid FROM pg_partition_tree($1::regclass) WHERE isleaf
                  UNION ALL SELECT oid FROM pg_class WHERE oid = $1::regclass AND relkind = 'r'`;
  const counted: Record<string, number> = {};
  for (const table of tables) {
    const r = await st.sql((c) =>
      c.query<{ n: string }>(
        `SELECT coalesce(sum(n_dead_tup), 0)::bigint AS n FROM pg_stat_user_tables WHERE relid IN (${leaves})`,
        [table],
      ),
    );
    counted[table] = Number(r.rows[0]!.n);
  }
  const out: Record<string, DeadTuples> = {};
  for (const table of tables) {
    const r = await st.sql((c) =>
      c.query<{ n: string; dead: string; free: string }>(
        `SELECT coalesce(sum(s.dead_tuple_count), 0)::bigint AS n, coalesce(sum(s.dead_tuple_len), 0)::bigint AS dead,
                coalesce(sum(s.free_space), 0)::bigint AS free
           FROM (${leaves}) t CROSS JOIN LATERAL pgstattuple(t.relid) s`,
        [table],
      ),
    );
    const row = r.rows[0]!;
    out[table] = {
      nDeadTup: counted[table]!,
      deadTuples: Number(row.n),
      deadMB: MB(Number(row.dead)),
      freeMB: MB(Number(row.free)),
    };
  }
  return out;
}

/**
 * Makes this session's table statistics visible to the others when it goes idle (PG 15), and waits a
 * moment for that: n_dead_tup is read from another session right after.
 */
async function flushStats(c: SqlConnection): Promise<void> {
  await c.query('SELECT pg_stat_force_next_flush()');
}
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 1000));
}
