import type { AuditLog, AuditOutcome, Prisma } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export interface AuditEntry {
  /** Token name/prefix or "cli:<user>"; never a token. */
  actor: string;
  /** Verb-ish, e.g. "credential.create", "scan.start". */
  action: string;
  target?: string;
  outcome: AuditOutcome;
  ip?: string;
  /** Never secrets: callers pass ids and names, not credential values. */
  details?: Prisma.InputJsonValue;
  at?: Date;
}

export async function appendAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      ip: entry.ip ?? null,
      ...(entry.details !== undefined ? { details: entry.details } : {}),
      ...(entry.at ? { at: entry.at } : {}),
    },
  });
}

export async function listAudit(
  db: Db,
  filter: { actor?: string; since?: Date; outcome?: AuditOutcome; limit?: number } = {},
): Promise<AuditLog[]> {
  return db.auditLog.findMany({
    where: {
      ...(filter.actor ? { actor: filter.actor } : {}),
      ...(filter.since ? { at: { gte: filter.since } } : {}),
      ...(filter.outcome ? { outcome: filter.outcome } : {}),
    },
    orderBy: { id: 'desc' },
    take: filter.limit ?? 100,
  });
}
