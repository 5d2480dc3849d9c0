import type { ScopeAction, ScopeRule } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/**
 * Site scope rules kept in the database, on top of the environment's FLEETQRY_SCOPE_ALLOW/DENY. The caller
 * parses the CIDR strictly (libs/probe) before it gets here; the store keeps the canonical text.
 */
export async function createScopeRule(
  db: Db,
  input: { action: ScopeAction; cidr: string; comment?: string | null; createdBy?: string },
): Promise<ScopeRule> {
  return db.scopeRule.create({
    data: {
      action: input.action,
      cidr: input.cidr,
      comment: input.comment ?? null,
      createdBy: input.createdBy ?? null,
    },
  });
}

export async function listScopeRules(db: Db): Promise<ScopeRule[]> {
  return db.scopeRule.findMany({ orderBy: [{ action: 'asc' }, { cidr: 'asc' }] });
}

export async function deleteScopeRule(db: Db, id: string): Promise<boolean> {
  const { count } = await db.scopeRule.deleteMany({ where: { id } });
  return count === 1;
}
