import { randomUUID } from 'node:crypto';

import type { SqlConnection } from '../client/sql-connection.js';
import { checksumMatches } from './checksum.js';
import {
  DatabaseNotMigratedError,
  FailedMigrationError,
  MigrationApplyError,
  MigrationChecksumError,
} from './migration-errors.js';
import { findMigrationsDir } from './migrations-dir.js';
import {
  CREATE_PRISMA_MIGRATIONS_TABLE,
  PRISMA_MIGRATE_LOCK_KEY,
  type PrismaMigrationRow,
} from './prisma-migrations-table.js';
import { type MigrationFile, readMigrations } from './read-migrations.js';

export interface MigrateOptions {
  /** Defaults to the repo's prisma/migrations (see findMigrationsDir). */
  migrationsDir?: string;
  /** Progress lines (never secrets); default silent. */
  log?: (line: string) => void;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  /** Recorded as applied but absent here: a newer release migrated this database. Reported, not fatal. */
  unknown: string[];
}

/**
 * Applies the pending migrations in order, each in its own transaction together with its
 * `_prisma_migrations` row, under Prisma's advisory lock so replicas starting together migrate once.
 * Refuses to run when an applied migration's file changed or Prisma left a failed migration behind.
 */
export async function migrate(conn: SqlConnection, options: MigrateOptions = {}): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const files = await readMigrations(findMigrationsDir(options.migrationsDir));
  await lock(conn, log);
  try {
    await conn.query(CREATE_PRISMA_MIGRATIONS_TABLE);
    const rows = (
      await conn.query<PrismaMigrationRow>(
        'SELECT * FROM "_prisma_migrations" ORDER BY "started_at", "migration_name"',
      )
    ).rows;
    const applied = checkRecorded(rows, files);
    const result: MigrateResult = {
      applied: [],
      alreadyApplied: files.filter((f) => applied.has(f.name)).map((f) => f.name),
      unknown: [...applied.keys()].filter((name) => !files.some((f) => f.name === name)),
    };
    for (const name of result.unknown)
      log(`warning: ${name} is applied but not in this release's migrations`);
    for (const file of files.filter((f) => !applied.has(f.name))) {
      log(`applying ${file.name}`);
      await applyOne(conn, file);
      result.applied.push(file.name);
    }
    return result;
  } finally {
    // A failed unlock (connection gone) must not hide the real error; the lock dies with the session anyway.
    await conn.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => {});
  }
}

/**
 * Read-only: throws DatabaseNotMigratedError when a migration of this release is not applied (or the
 * migrations table does not exist), and the migrate errors when an applied one changed or failed. Takes no
 * lock and writes nothing, so a process that must not migrate can check before it serves.
 */
export async function assertMigrated(conn: SqlConnection, options: MigrateOptions = {}): Promise<void> {
  const files = await readMigrations(findMigrationsDir(options.migrationsDir));
  const { rows: exists } = await conn.query<{ t: string | null }>(
    `SELECT to_regclass('"_prisma_migrations"')::text AS t`,
  );
  const rows = exists[0]?.t
    ? (await conn.query<PrismaMigrationRow>('SELECT * FROM "_prisma_migrations"')).rows
    : [];
  const applied = checkRecorded(rows, files);
  const pending = files.filter((f) => !applied.has(f.name)).map((f) => f.name);
  if (pending.length > 0) throw new DatabaseNotMigratedError(pending);
}

async function lock(conn: SqlConnection, log: (line: string) => void): Promise<void> {
  const { rows } = await conn.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
    PRISMA_MIGRATE_LOCK_KEY,
  ]);
  if (rows[0]?.locked) return;
  log('another migrator holds the migration lock; waiting');
  await conn.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
}

/** The names recorded as applied (finished, not rolled back), after checking them against the files. */
function checkRecorded(rows: PrismaMigrationRow[], files: MigrationFile[]): Map<string, PrismaMigrationRow> {
  const applied = new Map<string, PrismaMigrationRow>();
  for (const row of rows) {
    if (row.rolled_back_at) continue;
    if (!row.finished_at) throw new FailedMigrationError(row.migration_name);
    applied.set(row.migration_name, row);
  }
  for (const file of files) {
    const row = applied.get(file.name);
    if (row && !checksumMatches(file.script, row.checksum)) {
      throw new MigrationChecksumError(file.name, row.checksum, file.checksum);
    }
  }
  return applied;
}

async function applyOne(conn: SqlConnection, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  try {
    await conn.exec('BEGIN');
    // Same row life as Prisma's: started (0 steps), script, then one step and finished_at.
    await conn.query(
      `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count")
       VALUES ($1, $2, $3, clock_timestamp(), 0)`,
      [id, file.checksum, file.name],
    );
    await conn.exec(file.script);
    await conn.query(
      `UPDATE "_prisma_migrations" SET "applied_steps_count" = 1, "finished_at" = clock_timestamp() WHERE "id" = $1`,
      [id],
    );
    await conn.exec('COMMIT');
  } catch (error) {
    await conn.exec('ROLLBACK').catch(() => {});
    // Leave a trace Prisma also understands: a rolled-back attempt is ignored by `migrate deploy`.
    await conn
      .query(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "logs", "rolled_back_at", "started_at")
         VALUES ($1, $2, $3, $4, now(), now())`,
        [id, file.checksum, file.name, error instanceof Error ? error.message : String(error)],
      )
      .catch(() => {});
    throw new MigrationApplyError(file.name, error);
  }
}
