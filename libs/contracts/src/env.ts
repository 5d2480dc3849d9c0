import type { z } from 'zod';

import { parseRedisUrl, type RedisOptions } from './redis-url.js';

/** Bad environment configuration: names each variable at fault, never prints a value (some are secrets). */
export class EnvConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvConfigError';
  }
}

/**
 * The one line a process prints when it cannot start: the configuration error as it is (it names the
 * variable), anything else as its message on one line, never a stack trace.
 */
export function startupFailureLine(app: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const oneLine = message.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ');
  return error instanceof EnvConfigError ? `${app}: ${oneLine}` : `${app}: start-up failed: ${oneLine}`;
}

/**
 * The environment through a zod schema, blank values counting as unset (a blank line in an .env
 * file), and REDIS_URL turned into ioredis options. `what` names the configuration in the error.
 */
export function parseEnvWithRedis<S extends z.ZodType<{ REDIS_URL: string }>>(
  schema: S,
  env: NodeJS.ProcessEnv,
  what: string,
): { env: z.infer<S>; redis: RedisOptions } {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    // A missing variable is said plainly, not as zod's "expected string, received undefined".
    const issues = parsed.error.issues.map((i) => {
      const name = i.path.join('.');
      return present[name] === undefined ? `${name} is not set` : `${name}: ${i.message}`;
    });
    throw new EnvConfigError(`invalid ${what}: ${issues.join('; ')}`);
  }
  try {
    return { env: parsed.data, redis: parseRedisUrl(parsed.data.REDIS_URL) };
  } catch (error) {
    throw new EnvConfigError(`invalid ${what}: REDIS_URL: ${(error as Error).message}`);
  }
}
