import { z } from 'zod';

import { EnvConfigError, parseEnvWithRedis } from './env.js';

const Schema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  SECRET_TOKEN: z.string().min(20),
  LIMIT: z.coerce.number().int().positive().default(8),
});

describe('parseEnvWithRedis', () => {
  it('parses the schema and the Redis URL, blank values counting as unset', () => {
    const r = parseEnvWithRedis(
      Schema,
      { SECRET_TOKEN: 'x'.repeat(20), LIMIT: '', REDIS_URL: 'redis://127.0.0.1:6380/2' },
      'test configuration',
    );
    expect(r.env).toEqual({ REDIS_URL: 'redis://127.0.0.1:6380/2', SECRET_TOKEN: 'x'.repeat(20), LIMIT: 8 });
    expect(r.redis).toEqual({ host: '127.0.0.1', port: 6380, db: 2 });
  });

  it('names every variable at fault and never echoes a value', () => {
    const secret = 'too-short-secret';
    let error: unknown;
    try {
      parseEnvWithRedis(Schema, { SECRET_TOKEN: secret, LIMIT: '-3' }, 'test configuration');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^invalid test configuration: /);
    expect(message).toContain('SECRET_TOKEN');
    expect(message).toContain('LIMIT');
    expect(message).not.toContain(secret);
  });

  it('names REDIS_URL when it is not a Redis URL, without echoing it', () => {
    const url = 'http://user:hunter2@127.0.0.1:6379';
    expect(() =>
      parseEnvWithRedis(Schema, { SECRET_TOKEN: 'x'.repeat(20), REDIS_URL: url }, 'test configuration'),
    ).toThrow(/^invalid test configuration: REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL$/);
  });
});
