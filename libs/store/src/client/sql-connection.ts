import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

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
  /** Releases the connection (a PGlite instance owned by someone else stays open). */
  release(): Promise<void>;
}

export function pgClientConnection(client: pg.ClientBase, release: () => Promise<void>): SqlConnection {
  return {
    kind: 'postgres',
    async query<R>(sql: string, params?: unknown[]) {
      const r = await client.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    },
    async exec(script) {
      // Without parameters node-postgres uses the simple query protocol, which accepts several statements.
      await client.query(script);
    },
    release,
  };
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
  return pgClientConnection(client, async () => client.release());
}

export function pgliteConnection(db: PGlite): SqlConnection {
  return {
    kind: 'pglite',
    async query<R>(sql: string, params?: unknown[]) {
      const r = await db.query<R>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(script) {
      await db.exec(script);
    },
    // PGlite is a single in-process session owned by the store; nothing to give back.
    async release() {},
  };
}
