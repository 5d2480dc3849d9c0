import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

/** A client or an interactive transaction: every repository function runs inside either. */
export type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Runs `fn` in one transaction: a new one on a client, the caller's own inside a transaction (so repository
 * functions that must be atomic stay atomic whether or not the caller already opened one).
 */
export function inTransaction<T>(db: Db, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return '$transaction' in db ? db.$transaction(fn) : fn(db);
}

/** A round trip to the database (readiness checks). */
export async function pingDatabase(db: Db): Promise<void> {
  await db.$queryRawUnsafe('SELECT 1');
}

/** Prisma's unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

// Prisma's "cannot reach / timed out / closed" codes, Postgres' connection-exception class (08…) and
// shutdown codes (57P01-57P03), and Node's socket errors.
const UNAVAILABLE_CODES =
  /^(P1001|P1002|P1008|P1017|P2024|08\w{3}|57P0[123]|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE)$/;
const UNAVAILABLE_TEXT =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database server|Client has encountered a connection error|DatabaseNotReachable|ConnectionClosed|SocketTimeout/i;

/**
 * True when the error means the database could not be reached (down, restarting, network cut) rather than
 * a bad query: callers answer 503, not 500. Follows `cause` chains (driver adapters wrap pg's errors).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 8; depth++) {
    const { code, message, kind } = e as { code?: unknown; message?: unknown; kind?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) return true;
    if (typeof kind === 'string' && UNAVAILABLE_TEXT.test(kind)) return true;
    if (typeof message === 'string' && UNAVAILABLE_TEXT.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
