import type { Waiver } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export interface CreateWaiverInput {
  /** At least one of rule, hostPattern, findingKey; libs/policy decides what matches. */
  rule?: string;
  hostPattern?: string;
  findingKey?: string;
  owner: string;
  reason: string;
  expiresAt: Date;
  createdBy: string;
}

export async function createWaiver(db: Db, input: CreateWaiverInput): Promise<Waiver> {
  if (!input.rule && !input.hostPattern && !input.findingKey) {
    throw new Error(
      'a waiver needs a rule, a host pattern or a finding key (a waiver matching everything is refused)',
    );
  }
  if (!(input.expiresAt.getTime() > Date.now())) throw new Error('a waiver must expire in the future');
  return db.waiver.create({
    data: {
      rule: input.rule ?? null,
      hostPattern: input.hostPattern ?? null,
      findingKey: input.findingKey ?? null,
      owner: input.owner,
      reason: input.reason,
      expiresAt: input.expiresAt,
      createdBy: input.createdBy,
    },
  });
}

/** Waivers in force at `at` (created by then, not yet expired, not revoked). */
export async function activeWaivers(db: Db, at = new Date()): Promise<Waiver[]> {
  return db.waiver.findMany({
    where: { createdAt: { lte: at }, expiresAt: { gt: at }, revokedAt: null },
    orderBy: { expiresAt: 'asc' },
  });
}

export async function revokeWaiver(db: Db, id: string, at = new Date()): Promise<boolean> {
  const { count } = await db.waiver.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
  return count === 1;
}

/** The newest waivers first, at most `limit`. */
export async function listWaivers(db: Db, limit = 1000): Promise<Waiver[]> {
  return db.waiver.findMany({ orderBy: { createdAt: 'desc' }, take: limit });
}

export async function getWaiver(db: Db, id: string): Promise<Waiver | null> {
  return db.waiver.findUnique({ where: { id } });
}
