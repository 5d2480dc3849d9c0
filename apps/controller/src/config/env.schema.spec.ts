import { randomBytes } from 'node:crypto';

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
