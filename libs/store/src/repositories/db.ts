import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

/** A client or an interactive transaction: every repository function runs inside either. */
export type Db = PrismaClient | Prisma.TransactionClient;

/** Prisma's unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
