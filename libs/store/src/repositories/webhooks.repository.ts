import { randomUUID } from 'node:crypto';

import type { Webhook } from '../generated/prisma/client.js';
import { openSecret, sealSecret, type SealedSecret } from '../credentials/credential-cipher.js';
import type { CredentialKey } from '../credentials/credential-key.js';
import type { Db } from './db.js';

/** What the API may show about a webhook: everything but the sealed secret (and whether there is one). */
export type WebhookInfo = Omit<Webhook, 'ciphertext' | 'iv' | 'authTag' | 'keyId'> & { hasSecret: boolean };

export interface WebhookInput {
  name: string;
  url: string;
  format: string;
  events: string[];
  enabled: boolean;
  /** Absent on an update: the stored secret stays. */
  secret?: string;
}

function sealed(key: CredentialKey, id: string, secret: string) {
  const s = sealSecret(key, id, secret);
  return {
    ciphertext: new Uint8Array(s.ciphertext),
    iv: new Uint8Array(s.iv),
    authTag: new Uint8Array(s.authTag),
    keyId: s.keyId,
  };
}

export async function createWebhook(
  db: Db,
  key: CredentialKey,
  input: WebhookInput & { createdBy?: string },
): Promise<WebhookInfo> {
  // The id is bound into the ciphertext (AAD), so it is chosen before the row exists.
  const id = randomUUID();
  const { secret, createdBy, ...fields } = input;
  const row = await db.webhook.create({
    data: { id, ...fields, createdBy: createdBy ?? null, ...(secret ? sealed(key, id, secret) : {}) },
  });
  return info(row);
}

/** Replaces a webhook's fields (and its secret when one is given); null when it does not exist. */
export async function updateWebhook(
  db: Db,
  key: CredentialKey,
  id: string,
  input: WebhookInput,
): Promise<WebhookInfo | null> {
  const { secret, ...fields } = input;
  const { count } = await db.webhook.updateMany({
    where: { id },
    data: { ...fields, ...(secret ? sealed(key, id, secret) : {}) },
  });
  return count === 1 ? getWebhook(db, id) : null;
}

export async function getWebhook(db: Db, id: string): Promise<WebhookInfo | null> {
  const row = await db.webhook.findUnique({ where: { id } });
  return row ? info(row) : null;
}

export async function listWebhooks(db: Db, filter: { enabled?: boolean } = {}): Promise<WebhookInfo[]> {
  const rows = await db.webhook.findMany({
    where: filter.enabled === undefined ? {} : { enabled: filter.enabled },
    orderBy: { name: 'asc' },
  });
  return rows.map(info);
}

export async function deleteWebhook(db: Db, id: string): Promise<boolean> {
  const { count } = await db.webhook.deleteMany({ where: { id } });
  return count === 1;
}

/** The plaintext HMAC key, for signing a delivery; null when the webhook has none. Callers must not log it. */
export async function readWebhookSecret(db: Db, key: CredentialKey, id: string): Promise<string | null> {
  const row = await db.webhook.findUnique({ where: { id } });
  if (!row?.ciphertext || !row.iv || !row.authTag || !row.keyId) return null;
  const secret: SealedSecret = {
    ciphertext: Buffer.from(row.ciphertext),
    iv: Buffer.from(row.iv),
    authTag: Buffer.from(row.authTag),
    keyId: row.keyId,
  };
  return openSecret(key, row.id, secret, `of webhook ${row.name}`);
}

function info(row: Webhook): WebhookInfo {
  const { ciphertext, iv: _i, authTag: _t, keyId: _k, ...rest } = row;
  return { ...rest, hasSecret: ciphertext !== null };
}
