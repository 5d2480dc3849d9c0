import type { SqlConnection } from '../client/sql-connection.js';

/** The tables partitioned by run: one partition per run each, created with the run, dropped by retention. */
const RUN_PARTITIONED = ['observations', 'run_coverage', 'findings'] as const;

function runPartitionName(table: (typeof RUN_PARTITIONED)[number], runId: string): string {
  return `${table}_${runId.replace(/-/g, '')}`;
}

/** Session advisory lock key serialising prunes on Postgres ('fqpr'). */
const PRUNE_LOCK_KEY = 0x66717072;

export interface PruneOptions {
  /** Keep the newest N finished runs of each scan definition. */
  keepRuns?: number;
  /** Drop finished runs created before this time. */
  olderThan?: Date;
  /** List what would be dropped without dropping it. */
  dryRun?: boolean;
}

export interface PrunedRun {
  id: string;
  number: number;
}

/**
 * Retention: drops old finished runs with their observations, coverage and findings. Each run's partitions
 * are detached (CONCURRENTLY on Postgres, so ingest into other runs never waits on a table lock) and dropped
 * whole: no row deletes, nothing for vacuum to do. Never drops a queued or running run, nor the newest
 * succeeded run of a scan definition (the next run's delta baseline).
 */
export async function pruneRuns(conn: SqlConnection, options: PruneOptions): Promise<PrunedRun[]> {
  if (options.keepRuns === undefined && options.olderThan === undefined) return [];
  // Two prunes at once (controller replicas, a CLI prune meanwhile) would detach the same partitions, and
  // the second would fail: one at a time, each choosing its victims after the previous one is done.
  const serialise = conn.kind === 'postgres';
  if (serialise) await conn.query('SELECT pg_advisory_lock($1)', [PRUNE_LOCK_KEY]);
  try {
    return await pruneLocked(conn, options);
  } finally {
    // A failed unlock (connection gone) must not hide the real error; the lock dies with the session anyway.
    if (serialise) await conn.query('SELECT pg_advisory_unlock($1)', [PRUNE_LOCK_KEY]).catch(() => {});
  }
}

async function pruneLocked(conn: SqlConnection, options: PruneOptions): Promise<PrunedRun[]> {
  // "age" counts finished runs only: a queued or running run must not push a finished one out of keepRuns.
  const victims = await conn.query<{ id: string; number: number }>(
    `WITH ranked AS (
       SELECT "id", "number", "created_at", "status", "scan_definition_id",
              row_number() OVER (PARTITION BY "scan_definition_id", "status" IN ('queued', 'running')
                                 ORDER BY "number" DESC) AS "age",
              "number" = max("number") FILTER (WHERE "status" = 'succeeded')
                OVER (PARTITION BY "scan_definition_id") AS "baseline"
         FROM "runs")
     SELECT "id", "number" FROM ranked
      WHERE "status" NOT IN ('queued', 'running') AND NOT coalesce("baseline", false)
        AND (($1::int IS NOT NULL AND "age" > $1::int) OR ($2::timestamptz IS NOT NULL AND "created_at" < $2::timestamptz))
      ORDER BY "number"`,
    [options.keepRuns ?? null, options.olderThan?.toISOString() ?? null],
  );
  if (options.dryRun) return victims.rows;
  for (const run of victims.rows) await dropRun(conn, run.id);
  return victims.rows;
}

async function dropRun(conn: SqlConnection, runId: string): Promise<void> {
  for (const table of RUN_PARTITIONED) {
    const part = runPartitionName(table, runId);
    const link = await conn.query<{ pending: boolean }>(
      `SELECT i.inhdetachpending AS pending FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = $1`,
      [part],
    );
    if (link.rows[0]) {
      // CONCURRENTLY cannot run in a transaction block; PGlite is one session, so there is no one to wait for.
      // An interrupted CONCURRENTLY (process killed, statement cancelled) leaves the partition "pending
      // detach", which only FINALIZE completes: another CONCURRENTLY would fail on every prune from then on.
      const mode = link.rows[0].pending ? ' FINALIZE' : conn.kind === 'postgres' ? ' CONCURRENTLY' : '';
      await conn.query(`ALTER TABLE "${table}" DETACH PARTITION "${part}"${mode}`);
    }
    await conn.query(`DROP TABLE IF EXISTS "${part}"`);
  }
  await conn.query(`DELETE FROM "runs" WHERE "id" = $1::uuid`, [runId]);
}
