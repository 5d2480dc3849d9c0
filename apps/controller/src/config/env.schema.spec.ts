import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, loadConfig } from './env.schema.js';

const valid = {
  DATABASE_URL: 'postgres://u:p@db:5432/fleetqry',
  REDIS_URL: 'redis://redis:6379',
  FLEETQRY_CREDENTIAL_KEY: randomBytes(32).toString('base64'),
  FLEETQRY_JOB_KEY: randomBytes(32).toString('base64url'),
};

describe('controller configuration', () => {
  it('applies defaults: port 3000, loopback-only scope', () => {
    const c = loadConfig(valid);
    expect(c.port).toBe(3000);
    expect(c.scope).toEqual({ allow: ['127.0.0.0/8', '::1/128'], deny: [] });
    expect(c.queuePrefix).toBe('fleetqry');
  });

  it('reads secrets from <NAME>_FILE files (compose secrets); an unreadable one is named with the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-controller-secrets-'));
    try {
      const file = (name: string, value: string) => {
        writeFileSync(join(dir, name), `${value}\n`);
        return join(dir, name);
      };
      const env: NodeJS.ProcessEnv = {
        DATABASE_URL_FILE: file('database_url', valid.DATABASE_URL),
        REDIS_URL_FILE: file('redis_url', valid.REDIS_URL),
        FLEETQRY_CREDENTIAL_KEY_FILE: file('credential_key', valid.FLEETQRY_CREDENTIAL_KEY),
        FLEETQRY_JOB_KEY_FILE: file('job_key', valid.FLEETQRY_JOB_KEY),
        FLEETQRY_SMTP_URL_FILE: file('smtp_url', 'smtp://u:p@mail:25'),
      };
      const c = loadConfig(env);
      expect(c.databaseUrl).toBe(valid.DATABASE_URL);
      expect(c.redis).toEqual({ host: 'redis', port: 6379 });
      // Resolved into the environment itself, so other readers (the webhooks' SMTP URL) see the value.
      expect(env['FLEETQRY_SMTP_URL']).toBe('smtp://u:p@mail:25');
      expect(() =>
        loadConfig({ ...valid, FLEETQRY_ADMIN_TOKEN_FILE: join(dir, 'absent'), FLEETQRY_PORT: '0' }),
      ).toThrow(/FLEETQRY_ADMIN_TOKEN_FILE: cannot read .*absent \(ENOENT\)[\s\S]*FLEETQRY_PORT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names every missing or bad variable, and never prints a secret', () => {
    const secretish = 'fq_short';
    let error: unknown;
    try {
      loadConfig({
        REDIS_URL: 'http://nope',
        FLEETQRY_ADMIN_TOKEN: secretish,
        FLEETQRY_PORT: '70000',
        FLEETQRY_SCOPE_ALLOW: '10.0.0.0/33',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      'DATABASE_URL is not set',
      'REDIS_URL:',
      'FLEETQRY_ADMIN_TOKEN:',
      'FLEETQRY_PORT:',
      'FLEETQRY_CREDENTIAL_KEY is not set',
      'FLEETQRY_JOB_KEY is not set',
      'FLEETQRY_SCOPE_ALLOW:',
    ])
      expect(message).toContain(name);
    expect(message).not.toContain(secretish);
  });

  it('reads the job key and the previous one (rotation), refusing short keys without echoing them', () => {
    const previous = randomBytes(32).toString('base64url');
    expect(loadConfig({ ...valid, FLEETQRY_JOB_KEY_PREVIOUS: previous }).jobKeys).toEqual({
      current: valid.FLEETQRY_JOB_KEY,
      previous,
    });
    expect(() => loadConfig({ ...valid, FLEETQRY_JOB_KEY: 'short-key' })).toThrow(
      /FLEETQRY_JOB_KEY: must be at least 32 characters/,
    );
    expect(() => loadConfig({ ...valid, FLEETQRY_JOB_KEY: 'short-key' })).not.toThrow(/short-key/);
  });

  it('parses CIDR lists separated by commas or spaces', () => {
    const c = loadConfig({
      ...valid,
      FLEETQRY_SCOPE_ALLOW: '10.0.0.0/8, 192.168.0.0/16',
      FLEETQRY_SCOPE_DENY: '10.9.0.0/16',
    });
    expect(c.scope).toEqual({ allow: ['10.0.0.0/8', '192.168.0.0/16'], deny: ['10.9.0.0/16'] });
  });
});
