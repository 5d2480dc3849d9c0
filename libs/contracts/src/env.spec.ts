import { z } from 'zod';

import { checkEnv, EnvConfigError, loadEnv, LOCAL_REDIS_URL, RedisUrlSchema } from './env.js';

const Schema = z.object({
  REDIS_URL: z.string().default(LOCAL_REDIS_URL).pipe(RedisUrlSchema),
  SECRET_TOKEN: z.string().min(20),
  LIMIT: z.coerce.number().int().positive().default(8),
});

describe('loadEnv', () => {
  it('parses the schema, REDIS_URL as ioredis options, blank values counting as unset', () => {
    const env = loadEnv(
      Schema,
      { SECRET_TOKEN: 'x'.repeat(20), LIMIT: '', REDIS_URL: 'redis://127.0.0.1:6380/2' },
      'test configuration',
    );
    expect(env).toEqual({
      REDIS_URL: { host: '127.0.0.1', port: 6380, db: 2 },
      SECRET_TOKEN: 'x'.repeat(20),
      LIMIT: 8,
    });
    expect(loadEnv(Schema, { SECRET_TOKEN: 'x'.repeat(20) }, 'test').REDIS_URL).toEqual({
      host: '127.0.0.1',
      port: 6379,
    });
  });

  it('names every variable at fault and never echoes a value', () => {
    const secret = 'too-short-secret';
    let error: unknown;
    try {
      loadEnv(Schema, { SECRET_TOKEN: secret, LIMIT: '-3' }, 'test configuration');
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
      loadEnv(Schema, { SECRET_TOKEN: 'x'.repeat(20), REDIS_URL: url }, 'test configuration'),
    ).toThrow(/^invalid test configuration: REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL$/);
  });
});

describe('checkEnv', () => {
  it('returns every problem instead of throwing, a missing variable said plainly', () => {
    const Required = z.object({ REDIS_URL: RedisUrlSchema, NAME: z.string() });
    expect(checkEnv(Required, { REDIS_URL: 'redis://h/x' })).toEqual({
      ok: false,
      problems: ['REDIS_URL: the path must be a database number', 'NAME is not set'],
    });
    expect(checkEnv(Required, { REDIS_URL: 'rediss://h:1', NAME: 'n' })).toEqual({
      ok: true,
      env: { REDIS_URL: { host: 'h', port: 1, tls: {} }, NAME: 'n' },
    });
  });
});
