import { createHash, randomBytes } from 'node:crypto';

import type { ApiRole, ApiToken } from '../generated/prisma/client.js';
import type { Db } from './db.js';

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
