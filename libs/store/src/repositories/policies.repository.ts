import type { Policy } from '../generated/prisma/client.js';
import { type Db, isUniqueViolation } from './db.js';

/**
 * Stored policies are versioned and immutable: an upload under an existing name adds version n+1, so a
 * run's (name, version) always reproduces the rules it was evaluated with.
 */
export async function addPolicyVersion(
  db: Db,
  input: { name: string; yaml: string; createdBy?: string },
  attempts = 3,
): Promise<Policy> {
  for (let i = 0; ; i++) {
    const latest = await db.policy.findFirst({ where: { name: input.name }, orderBy: { version: 'desc' } });
    try {
      return await db.policy.create({
        data: {
          name: input.name,
          version: (latest?.version ?? 0) + 1,
          yaml: input.yaml,
          createdBy: input.createdBy ?? null,
        },
      });
    } catch (error) {
      // Two concurrent uploads picked the same version: the loser retries with the next one.
      if (!isUniqueViolation(error) || i + 1 >= attempts) throw error;
    }
  }
}

/** A given version, or the latest when `version` is omitted. */
export async function getPolicy(db: Db, name: string, version?: number): Promise<Policy | null> {
  return version === undefined
    ? db.policy.findFirst({ where: { name }, orderBy: { version: 'desc' } })
    : db.policy.findUnique({ where: { name_version: { name, version } } });
}

/** The latest version of each policy. */
export async function listPolicies(db: Db): Promise<Policy[]> {
  return db.policy.findMany({ distinct: ['name'], orderBy: [{ name: 'asc' }, { version: 'desc' }] });
}

export async function listPolicyVersions(db: Db, name: string): Promise<Policy[]> {
  return db.policy.findMany({ where: { name }, orderBy: { version: 'desc' } });
}

/** Removes every version of a policy. */
export async function deletePolicy(db: Db, name: string): Promise<number> {
  const { count } = await db.policy.deleteMany({ where: { name } });
  return count;
}
