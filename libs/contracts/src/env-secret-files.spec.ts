import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { applySecretFiles, EnvConfigError } from './env.js';

describe('applySecretFiles (<NAME>_FILE)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleetqry-secret-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  it('reads each secret from its file (trailing line breaks dropped) and removes the _FILE variable', () => {
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL_FILE: file('db', 'postgresql://u:p@postgres:5432/db\n'),
      FLEETQRY_JOB_KEY_FILE: file('job', 'job key with spaces inside\r\n'),
      FLEETQRY_WORKER_TOKEN: 'given directly',
      OTHER_FILE: '/not/a/secret/name',
    };
    applySecretFiles(env);
    expect(env).toEqual({
      DATABASE_URL: 'postgresql://u:p@postgres:5432/db',
      FLEETQRY_JOB_KEY: 'job key with spaces inside',
      FLEETQRY_WORKER_TOKEN: 'given directly',
      OTHER_FILE: '/not/a/secret/name',
    });
    applySecretFiles(env); // idempotent: nothing left to resolve
    expect(env['DATABASE_URL']).toBe('postgresql://u:p@postgres:5432/db');
  });

  it('an empty file leaves an optional secret unset', () => {
    const env: NodeJS.ProcessEnv = { FLEETQRY_JOB_KEY_PREVIOUS_FILE: file('prev', '\n') };
    applySecretFiles(env);
    expect(env).toEqual({});
  });

  it('refuses both forms, and an unreadable file, naming the variable and never the content', () => {
    const secret = 'fq_secret-value-that-must-not-leak-0123456789';
    const both = { FLEETQRY_ADMIN_TOKEN: secret, FLEETQRY_ADMIN_TOKEN_FILE: file('t', secret) };
    expect(() => applySecretFiles(both)).toThrow(
      new EnvConfigError('FLEETQRY_ADMIN_TOKEN and FLEETQRY_ADMIN_TOKEN_FILE are both set: set one of them'),
    );
    const missing = join(dir, 'absent');
    expect(() => applySecretFiles({ REDIS_URL_FILE: missing })).toThrow(
      new EnvConfigError(`REDIS_URL_FILE: cannot read ${missing} (ENOENT)`),
    );
    expect(() => applySecretFiles({ FLEETQRY_CREDENTIAL_KEY_FILE: dir })).toThrow(
      /^FLEETQRY_CREDENTIAL_KEY_FILE: cannot read .* \(EISDIR\)$/,
    );
  });
});
