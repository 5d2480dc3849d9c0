import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { PGlite, Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * The few things the migrator and the bulk paths need from a database connection, over node-postgres and
 * PGlite alike. One connection (not a pool): transactions and session advisory locks live on a session.
 */
export interface SqlConnection {
  readonly kind: 'postgres' | 'pglite';
  query<R = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number }>;
  /** Runs a multi-statement script without parameters (a migration.sql file). */
  exec(script: string): Promise<void>;
  /**
   * `COPY table (cols) FROM STDIN` with text-format lines (see bulk/copy-text.ts); the bulk paths' fast lane
   * (Postgres through pg-copy-streams, PGlite through its /dev/blob device).
   */
  copyIn(table: string, columns: readonly string[], lines: readonly string[]): Promise<void>;
  /** Runs `fn` in one transaction on this connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T>;
  /** Releases the connection (a PGlite instance owned by someone else stays open). */
  release(): Promise<void>;
}

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM ${source}`;
}

function pgClientConnection(client: pg.ClientBase, release: () => Promise<void>): SqlConnection {
  const conn: SqlConnection = {
    kind: 'postgres',
    async query<R>(sql: string, params?: unknown[]) {
      const r = await client.query(sql, params);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    },
    async exec(script) {
      // Without parameters node-postgres uses the simple query protocol, which accepts several statements.
      await client.query(script);
    },
    async copyIn(table, columns, lines) {
      if (lines.length === 0) return;
      const sink = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
      await pipeline(Readable.from(chunksOf(lines)), sink);
    },
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const result = await fn(conn);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    release,
  };
  return conn;
}

/** Lines joined into ~1 MB strings: one write per megabyte instead of one per row. */
function* chunksOf(lines: readonly string[]): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const line of lines) {
    parts.push(line);
    size += line.length;
    if (size >= 1 << 20) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length) yield parts.join('');
}

/** A dedicated connection from a URL (the migrator CLI, tests); closing it ends the connection. */
export async function connectPostgres(
  databaseUrl: string,
  connectTimeoutMs = 10_000,
): Promise<SqlConnection> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: connectTimeoutMs });
  await client.connect();
  return pgClientConnection(client, () => client.end());
}

/** A connection borrowed from a pool; release returns it. */
export async function poolConnection(pool: pg.Pool): Promise<SqlConnection> {
  const client = await pool.connect();
  return pgClientConnection(client, () => Promise.resolve(client.release()));
}

export function pgliteConnection(db: PGlite | Transaction): SqlConnection {
  return {
    kind: 'pglite',
    async query<R>(sql: string, params?: unknown[]) {
      const r = await db.query<R>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(script) {
      await db.exec(script);
    },
    async copyIn(table, columns, lines) {
      if (lines.length === 0) return;
      await db.query(copyStatement(table, columns, "'/dev/blob'"), [], {
        blob: new Blob([...chunksOf(lines)]),
      });
    },
    async transaction(fn) {
      // Inside a transaction already (PGlite's are not nested): run on it.
      if (!('transaction' in db)) return fn(pgliteConnection(db));
      return db.transaction((tx) => fn(pgliteConnection(tx)));
    },
    // PGlite is a single in-process session owned by the store; nothing to give back.
    async release() {},
  };
}
