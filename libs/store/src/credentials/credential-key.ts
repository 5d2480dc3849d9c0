import { createHash } from 'node:crypto';

export const CREDENTIAL_KEY_ENV = 'FLEETQRY_CREDENTIAL_KEY';

export interface CredentialKey {
  key: Buffer;
  /** A fingerprint (not the key) recorded with each ciphertext, to tell which key a row needs. */
  id: string;
}

export class CredentialKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialKeyError';
  }
}

/**
 * The AES-256 key from FLEETQRY_CREDENTIAL_KEY: 32 bytes as 64 hex digits or base64. Errors say what is
 * wrong with the variable, never its value.
 */
export function loadCredentialKey(env: NodeJS.ProcessEnv = process.env): CredentialKey {
  const raw = env[CREDENTIAL_KEY_ENV]?.trim();
  if (!raw) {
    throw new CredentialKeyError(
      `${CREDENTIAL_KEY_ENV} is not set: stored credentials need a 32-byte key (64 hex digits or base64), ` +
        `e.g. from \`openssl rand -base64 32\``,
    );
  }
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : decodeBase64(raw);
  if (!key || key.length !== 32) {
    throw new CredentialKeyError(
      `${CREDENTIAL_KEY_ENV} must be 32 bytes as 64 hex digits or base64; it decodes to ` +
        `${key ? `${key.length} bytes` : 'neither'}`,
    );
  }
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 16) };
}

function decodeBase64(s: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return null;
  return Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64');
}
