#!/usr/bin/env node
/**
 * `npm run db:migrate [-- --data-dir DIR | --database-url URL]`: applies prisma/migrations.
 * DATABASE_URL (or DATABASE_URL_FILE, or --database-url) → that Postgres; otherwise the embedded PGlite store in ./.fleetqry/.
 * Exit codes: 0 migrated (or nothing to do), 1 failed, 2 usage error.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { PGlite } from '@electric-sql/pglite';
import { applySecretFiles } from '@fleetqry/contracts';

import { lockDataDir } from '../client/data-dir-lock.js';
import { DEFAULT_DATA_DIR } from '../client/create-store.js';
import { redactDatabaseUrl } from '../client/redact-url.js';
import { connectPostgres, pgliteConnection, type SqlConnection } from '../client/sql-connection.js';
import { migrate } from './migrate.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        'database-url': { type: 'string' },
        'data-dir': { type: 'string' },
        'migrations-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`db:migrate: ${(error as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write('usage: db:migrate [--database-url URL | --data-dir DIR] [--migrations-dir DIR]\n');
    return 0;
  }
  try {
    applySecretFiles(process.env); // DATABASE_URL_FILE (compose secrets)
  } catch (error) {
    process.stderr.write(`db:migrate: ${(error as Error).message}\n`);
    return 2;
  }
  const url = args['database-url'] ?? process.env['DATABASE_URL'];
  const log = (line: string) => process.stderr.write(`db:migrate: ${line}\n`);
  let conn: SqlConnection;
  let done: () => Promise<void>;
  let target: string;
  if (url) {
    target = redactDatabaseUrl(url);
    conn = await connectPostgres(url);
    done = () => conn.release();
  } else {
    const dataDir = resolve(args['data-dir'] ?? DEFAULT_DATA_DIR);
    target = `embedded store in ${dataDir}`;
    const unlock = lockDataDir(dataDir);
    const db = await PGlite.create(join(dataDir, 'pglite'));
    conn = pgliteConnection(db);
    done = async () => {
      await db.close();
      unlock();
    };
  }
  try {
    const result = await migrate(conn, {
      log,
      ...(args['migrations-dir'] ? { migrationsDir: args['migrations-dir'] } : {}),
    });
    log(
      result.applied.length
        ? `${target}: applied ${result.applied.join(', ')}`
        : `${target}: up to date (${result.alreadyApplied.length} migrations)`,
    );
    return 0;
  } finally {
    await done();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`db:migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
