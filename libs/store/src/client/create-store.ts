import { resolve, join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

import { PrismaClient } from '../generated/prisma/client.js';
import { migrate, type MigrateResult } from '../migrator/migrate.js';
import { isMigrationError } from '../migrator/migration-errors.js';
import { lockDataDir } from './data-dir-lock.js';
import { redactDatabaseUrl } from './redact-url.js';
import { pgliteConnection, poolConnection } from './sql-connection.js';

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
  /** Migrations directory override (tests). */
  migrationsDir?: string;
  log?: (line: string) => void;
}

export interface Store {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
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
    ...(migrations ? { migrations } : {}),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(options: StoreOptions): Promise<Store> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const unlock = lockDataDir(dataDir);
  let db: PGlite | undefined;
  let migrations: MigrateResult | undefined;
  try {
    db = await PGlite.create(join(dataDir, 'pglite'));
    if (options.migrate ?? true) migrations = await migrate(pgliteConnection(db), migrateOptions(options));
  } catch (error) {
    await db?.close().catch(() => {});
    unlock();
    if (isMigrationError(error)) throw error;
    throw new StoreConnectError(`in ${dataDir}`, error);
  }
  const pglite = db;
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: 'pglite',
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
