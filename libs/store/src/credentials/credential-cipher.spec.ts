import { randomBytes } from 'node:crypto';

import { openSecret, sealSecret } from './credential-cipher.js';
import { CREDENTIAL_KEY_ENV, loadCredentialKey } from './credential-key.js';

describe('credential key', () => {
  it('names the variable when it is missing', () => {
    expect(() => loadCredentialKey({})).toThrow(/FLEETQRY_CREDENTIAL_KEY is not set/);
  });

  it('names the variable, and not its value, when it has the wrong length', () => {
    const short = randomBytes(16).toString('base64');
    let message = '';
    try {
      loadCredentialKey({ [CREDENTIAL_KEY_ENV]: short });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/FLEETQRY_CREDENTIAL_KEY must be 32 bytes.*16 bytes/);
    expect(message).not.toContain(short);
  });

  it('accepts hex and base64', () => {
    const key = randomBytes(32);
    const a = loadCredentialKey({ [CREDENTIAL_KEY_ENV]: key.toString('hex') });
    const b = loadCredentialKey({ [CREDENTIAL_KEY_ENV]: key.toString('base64') });
    expect(a.key.equals(key)).toBe(true);
    expect(b.key.equals(key)).toBe(true);
    expect(a.id).toBe(b.id);
  });
});

describe('AES-256-GCM sealing', () => {
  const key = loadCredentialKey({ [CREDENTIAL_KEY_ENV]: randomBytes(32).toString('hex') });
  const other = loadCredentialKey({ [CREDENTIAL_KEY_ENV]: randomBytes(32).toString('hex') });

  it('round-trips and never carries the plaintext', () => {
    const sealed = sealSecret(key, 'id-1', 'public-community-xyz');
    expect(sealed.ciphertext.includes(Buffer.from('public-community-xyz'))).toBe(false);
    expect(sealed.iv).toHaveLength(12);
    expect(openSecret(key, 'id-1', sealed, 'lab')).toBe('public-community-xyz');
  });

  it('fails clearly with another key, without the secret in the message', () => {
    const sealed = sealSecret(key, 'id-1', 's3cret');
    expect(() => openSecret(other, 'id-1', sealed, 'lab')).toThrow(
      /credential lab was encrypted with key .* FLEETQRY_CREDENTIAL_KEY is key/,
    );
    expect(() => openSecret({ ...other, id: key.id }, 'id-1', sealed, 'lab')).toThrow(
      /wrong key or tampered/,
    );
  });

  it('binds the ciphertext to its credential id', () => {
    const sealed = sealSecret(key, 'id-1', 's3cret');
    expect(() => openSecret(key, 'id-2', sealed, 'lab')).toThrow(/wrong key or tampered/);
  });
});
