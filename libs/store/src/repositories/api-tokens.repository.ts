import { createHash, randomBytes } from 'node:crypto';

import type { ApiRole, ApiToken } from '../generated/prisma/client.js';
import { type Db, isUniqueViolation } from './db.js';

/** Recognisable in leaked-secret scans and logs; the random part carries 256 bits. */
const TOKEN_PREFIX = 'fq_';
const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;

export type ApiTokenInfo = Omit<ApiToken, 'tokenHash'>;

/** SHA-256 suffices (no salt, no slow KDF): the token is random, not a password that can be guessed. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The plaintext token is returned here once and never stored. */
export async function createApiToken(
  db: Db,
  input: { name: string; role: ApiRole; createdBy?: string },
): Promise<{ token: string; info: ApiTokenInfo }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = await db.apiToken.create({
    data: {
      name: input.name,
      role: input.role,
      tokenHash: hashApiToken(token),
      prefix: token.slice(0, SHOWN_PREFIX_LENGTH),
      createdBy: input.createdBy ?? null,
    },
  });
  return { token, info: withoutHash(row) };
}

/** The token's record if it is known and not revoked (and records its use); null otherwise. */
export async function verifyApiToken(db: Db, token: string): Promise<ApiTokenInfo | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashApiToken(token) } });
  if (!row || row.revokedAt) return null;
  const used = await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return withoutHash(used);
}

export async function revokeApiToken(db: Db, id: string, at = new Date()): Promise<boolean> {
  const { count } = await db.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
  return count === 1;
}

export async function listApiTokens(db: Db): Promise<ApiTokenInfo[]> {
  const rows = await db.apiToken.findMany({ orderBy: { createdAt: 'asc' } });
  return rows.map(withoutHash);
}

function withoutHash(row: ApiToken): ApiTokenInfo {
  const { tokenHash: _hash, ...info } = row;
  return info;
}

/**
 * Stores a token chosen outside (the bootstrap admin from the environment) by its hash; idempotent. With
 * `replacesSameName`, other unrevoked tokens of the same name are revoked: changing the variable rotates it.
 * A revoked token is never revived: the same text after a revocation stays refused.
 */
export async function ensureApiToken(
  db: Db,
  input: { token: string; name: string; role: ApiRole; createdBy?: string; replacesSameName?: boolean },
): Promise<{ info: ApiTokenInfo; created: boolean; revoked: number }> {
  if (!input.token.startsWith(TOKEN_PREFIX)) throw new Error(`API tokens start with "${TOKEN_PREFIX}"`);
  const tokenHash = hashApiToken(input.token);
  const existing = await db.apiToken.findUnique({ where: { tokenHash } });
  const row =
    existing ??
    (await db.apiToken
      .create({
        data: {
          name: input.name,
          role: input.role,
          tokenHash,
          prefix: input.token.slice(0, SHOWN_PREFIX_LENGTH),
          createdBy: input.createdBy ?? null,
        },
      })
      .catch(async (error: unknown) => {
        // Another replica stored it at the same moment.
        if (!isUniqueViolation(error)) throw error;
        return db.apiToken.findUniqueOrThrow({ where: { tokenHash } });
      }));
  let revoked = 0;
  if (input.replacesSameName) {
    ({ count: revoked } = await db.apiToken.updateMany({
      where: { name: input.name, revokedAt: null, id: { not: row.id } },
      data: { revokedAt: new Date() },
    }));
  }
  return { info: withoutHash(row), created: !existing, revoked };
}

export async function getApiToken(db: Db, id: string): Promise<ApiTokenInfo | null> {
  const row = await db.apiToken.findUnique({ where: { id } });
  return row ? withoutHash(row) : null;
}
