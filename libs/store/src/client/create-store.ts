import { resolve, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';

import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

import { PrismaClient } from '../generated/prisma/client.js';
import { assertMigrated, migrate, type MigrateResult } from '../migrator/migrate.js';
import { isMigrationError } from '../migrator/migration-errors.js';
import { lockDataDir } from './data-dir-lock.js';
import { seedFromTemplate } from './pglite-template.js';
import { redactDatabaseUrl } from './redact-url.js';
import { pgliteConnection, poolConnection, type SqlConnection } from './sql-connection.js';

export const DEFAULT_DATA_DIR = '.fleetqry';

export interface StoreOptions {
  /** `postgres://…`; without it the store is embedded PGlite. */
  databaseUrl?: string;
  /** Embedded mode's directory (default ./.fleetqry); the database lives in its `pglite/` subdirectory. */
  dataDir?: string;
  /** Postgres pool size (default 10). */
  poolSize?: number;
  /** Postgres connect timeout (default 10 s); an unreachable server fails within it. */
  connectTimeoutMs?: number;
  /** Apply pending migrations on open: default true for PGlite (zero setup), false for Postgres (a deploy step). */
  migrate?: boolean;
  /** Without `migrate`: refuse to open (DatabaseNotMigratedError) a Postgres database lacking migrations. */
  requireMigrated?: boolean;
  /** Migrations directory override (tests). */
  migrationsDir?: string;
  log?: (line: string) => void;
}

export interface Store {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
  /** A raw SQL session for the bulk paths (COPY ingest, streaming reads, partitions), given back after `fn`. */
  sql<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
  /** What the open-time migration did, if it ran. */
  migrations?: MigrateResult;
  close(): Promise<void>;
}

export class StoreConnectError extends Error {
  constructor(target: string, cause: unknown) {
    super(`cannot open the database ${target}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'StoreConnectError';
  }
}

/** One entry point for every process: the CLI's sweep, the controller, the tests. */
export async function createStore(options: StoreOptions = {}): Promise<Store> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options);
}

async function openPostgres(databaseUrl: string, options: StoreOptions): Promise<Store> {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new StoreConnectError(
      redactDatabaseUrl(databaseUrl),
      new Error('the URL must start with postgres:// or postgresql://'),
    );
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // An idle client's network error is emitted on the pool; unhandled, it would crash the process.
  pool.on('error', (error) => options.log?.(`postgres pool: ${error.message}`));
  let migrations: MigrateResult | undefined;
  try {
    // Fail fast and clearly on a wrong URL instead of at the first query deep inside a sweep.
    const conn = await poolConnection(pool);
    try {
      if (options.migrate) migrations = await migrate(conn, migrateOptions(options));
      else if (options.requireMigrated) await assertMigrated(conn, migrateOptions(options));
      else await conn.query('SELECT 1');
    } finally {
      await conn.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    if (isMigrationError(error)) throw error;
    throw new StoreConnectError(redactDatabaseUrl(databaseUrl), error);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind: 'postgres',
    async sql(fn) {
      const conn = await poolConnection(pool);
      try {
        return await fn(conn);
      } finally {
        await conn.release();
      }
    },
    ...(migrations ? { migrations } : {}),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(options: StoreOptions): Promise<Store> {
  // PGlite is a large WebAssembly module; V8's optimising tier recompiles its hot functions on background
  // threads, which measured as several CPU-seconds that a short sweep on two cores cannot spare, for no
  // gain at the embedded store's batch-at-a-time load (tools/bench/scale). The baseline compiler is enough.
  setFlagsFromString('--liftoff-only');
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const unlock = lockDataDir(dataDir);
  let db: PGlite | undefined;
  let migrations: MigrateResult | undefined;
  try {
    // Postgres' 128 MB of shared buffers would sit in the sweep's own heap; the embedded store's working set
    // is a batch at a time, and 16 MB measured as fast for the bulk paths with half the resident memory.
    await seedFromTemplate(join(dataDir, 'pglite'));
    db = await PGlite.create(join(dataDir, 'pglite'), { postgresqlconf: 'shared_buffers=16MB' });
    if (options.migrate ?? true) migrations = await migrate(pgliteConnection(db), migrateOptions(options));
  } catch (error) {
    await db?.close().catch(() => {});
    unlock();
    if (isMigrationError(error)) throw error;
    throw new StoreConnectError(`in ${dataDir}`, error);
  }
  const pglite = db;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  const conn = pgliteConnection(pglite);
  return {
    prisma,
    kind: 'pglite',
    sql: (fn) => fn(conn),
    ...(migrations ? { migrations } : {}),
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      unlock();
    },
  };
}

function migrateOptions(options: StoreOptions) {
  return {
    ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
}
