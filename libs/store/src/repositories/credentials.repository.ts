import { randomUUID } from 'node:crypto';

import type { Credential, CredentialKind } from '../generated/prisma/client.js';
import { openSecret, sealSecret } from '../credentials/credential-cipher.js';
import type { CredentialKey } from '../credentials/credential-key.js';
import type { Db } from './db.js';

/** What the API may show about a credential: everything but the sealed secret. */
export type CredentialInfo = Omit<Credential, 'ciphertext' | 'iv' | 'authTag'>;

export async function createCredential(
  db: Db,
  key: CredentialKey,
  input: { kind: CredentialKind; name: string; secret: string; principal?: string; createdBy?: string },
): Promise<CredentialInfo> {
  // The id is chosen here because it is bound into the ciphertext (AAD) before the row exists.
  const id = randomUUID();
  const sealed = sealSecret(key, id, input.secret);
  const row = await db.credential.create({
    data: {
      id,
      kind: input.kind,
      name: input.name,
      principal: input.principal ?? null,
      ciphertext: new Uint8Array(sealed.ciphertext),
      iv: new Uint8Array(sealed.iv),
      authTag: new Uint8Array(sealed.authTag),
      keyId: sealed.keyId,
      createdBy: input.createdBy ?? null,
    },
  });
  return info(row);
}

/** The plaintext, for the probe job that needs it; callers must not log it. */
export async function readCredentialSecret(db: Db, key: CredentialKey, id: string): Promise<string> {
  const row = await db.credential.findUnique({ where: { id } });
  if (!row) throw new Error(`credential ${id} does not exist`);
  return openSecret(
    key,
    row.id,
    {
      ciphertext: Buffer.from(row.ciphertext),
      iv: Buffer.from(row.iv),
      authTag: Buffer.from(row.authTag),
      keyId: row.keyId,
    },
    row.name,
  );
}

export async function listCredentials(db: Db): Promise<CredentialInfo[]> {
  const rows = await db.credential.findMany({ orderBy: { name: 'asc' } });
  return rows.map(info);
}

export async function deleteCredential(db: Db, id: string): Promise<boolean> {
  const { count } = await db.credential.deleteMany({ where: { id } });
  return count === 1;
}

function info(row: Credential): CredentialInfo {
  const { ciphertext: _c, iv: _i, authTag: _t, ...rest } = row;
  return rest;
}

export async function getCredentialInfo(db: Db, id: string): Promise<CredentialInfo | null> {
  const row = await db.credential.findUnique({ where: { id } });
  return row ? info(row) : null;
}

/** The kind of each existing credential among `ids` (absent ids are missing from the map). */
export async function credentialKinds(db: Db, ids: readonly string[]): Promise<Map<string, CredentialKind>> {
  if (ids.length === 0) return new Map();
  const rows = await db.credential.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, kind: true },
  });
  return new Map(rows.map((r) => [r.id, r.kind]));
}
