import { join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';

import { connectPostgres, pgliteConnection, type SqlConnection } from '../client/sql-connection.js';
import { createTempDir, createTempPostgres } from './temp-databases.js';

/** A fresh empty database of each kind, opened as a raw connection; `open` gives more sessions on it. */
export interface TempBackend {
  kind: 'pglite' | 'postgres';
  conn: SqlConnection;
  /** createStore options that open this same database. */
  storeOptions: { databaseUrl?: string; dataDir?: string };
  /** Another session (Postgres only: PGlite is one session). */
  open(): Promise<SqlConnection>;
  /** Empties the database (drops the public schema): cheaper than a new PGlite, which takes seconds. */
  reset(): Promise<void>;
  /** Closes conn; call before createStore on PGlite (one process, one opener). */
  closeConn(): Promise<void>;
  destroy(): Promise<void>;
}

const RESET_SQL = 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;';

export const BACKENDS = ['pglite', 'postgres'] as const;

export async function tempBackend(kind: 'pglite' | 'postgres'): Promise<TempBackend> {
  if (kind === 'postgres') {
    const db = await createTempPostgres();
    const conn = await connectPostgres(db.url);
    let open = true;
    const closeConn = async () => {
      if (open) await conn.release();
      open = false;
    };
    return {
      kind,
      conn,
      storeOptions: { databaseUrl: db.url },
      open: () => connectPostgres(db.url),
      reset: () => conn.exec(RESET_SQL),
      closeConn,
      async destroy() {
        await closeConn();
        await db.drop();
      },
    };
  }
  const tmp = await createTempDir();
  const pglite = await PGlite.create(join(tmp.dir, 'pglite'));
  let open = true;
  const closeConn = async () => {
    if (open) await pglite.close();
    open = false;
  };
  return {
    kind,
    conn: pgliteConnection(pglite),
    storeOptions: { dataDir: tmp.dir },
    open: () => Promise.reject(new Error('PGlite has one session')),
    reset: () => pgliteConnection(pglite).exec(RESET_SQL),
    closeConn,
    async destroy() {
      await closeConn();
      await tmp.remove();
    },
  };
}
