import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { type CredentialKey, CredentialKeyError } from './credential-key.js';

export interface SealedSecret {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
  keyId: string;
}

/**
 * AES-256-GCM with a fresh 96-bit IV per secret. The credential id is the additional authenticated data,
 * so a ciphertext copied onto another credential's row fails to decrypt instead of lending its secret.
 */
export function sealSecret(key: CredentialKey, credentialId: string, plaintext: string): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(credentialId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { ciphertext, iv, authTag: cipher.getAuthTag(), keyId: key.id };
}

export function openSecret(
  key: CredentialKey,
  credentialId: string,
  sealed: SealedSecret,
  label: string,
): string {
  if (sealed.keyId !== key.id) {
    throw new CredentialKeyError(
      `credential ${label} was encrypted with key ${sealed.keyId}, but FLEETQRY_CREDENTIAL_KEY is key ${key.id}`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.iv);
    decipher.setAAD(Buffer.from(credentialId, 'utf8'));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    // Node's message is generic already; replace it so nothing about the data leaks into logs.
    throw new CredentialKeyError(`credential ${label} failed authentication: wrong key or tampered row`);
  }
}
