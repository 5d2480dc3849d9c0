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
 * The environment through a zod schema (after resolving `<NAME>_FILE` secrets), blank values counting as
 * unset (a blank line in an .env file), and REDIS_URL turned into ioredis options. `what` names the configuration in the error.
 */
export function parseEnvWithRedis<S extends z.ZodType<{ REDIS_URL: string }>>(
  schema: S,
  env: NodeJS.ProcessEnv,
  what: string,
): { env: z.infer<S>; redis: RedisOptions } {
  applySecretFiles(env);
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

/**
 * The variables that hold secrets. Each may instead be given as `<NAME>_FILE`, the path of a file holding
 * the value (Docker/compose secrets mounted at /run/secrets/…, Kubernetes secret volumes), so the value is
 * never in the process environment of the launcher, a compose file or a command line.
 */
export const SECRET_ENV_NAMES = [
  'DATABASE_URL',
  'REDIS_URL',
  'FLEETQRY_ADMIN_TOKEN',
  'FLEETQRY_CREDENTIAL_KEY',
  'FLEETQRY_WORKER_TOKEN',
  'FLEETQRY_JOB_KEY',
  'FLEETQRY_JOB_KEY_PREVIOUS',
  'FLEETQRY_SMTP_URL',
] as const;

/**
 * Resolves every `<NAME>_FILE` of SECRET_ENV_NAMES in `env` (in place, so later readers of process.env see
 * the value): `<NAME>` gets the file's content without its trailing line breaks, and `<NAME>_FILE` is removed.
 * An empty file leaves `<NAME>` unset (an optional secret not in use). Setting both, or a file that cannot be
 * read, is an EnvConfigError naming the variable (never the content).
 */
export function applySecretFiles(env: NodeJS.ProcessEnv): void {
  for (const name of SECRET_ENV_NAMES) {
    const fileVar = `${name}_FILE`;
    const path = env[fileVar];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '')
      throw new EnvConfigError(`${name} and ${fileVar} are both set: set one of them`);
    let content: string;
    try {
      // Not a static node:fs import: the browser console bundles this package (for its shared constants).
      content = process.getBuiltinModule('node:fs').readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new EnvConfigError(`${fileVar}: cannot read ${path} (${code})`);
    }
    const value = content.replace(/[\r\n]+$/, '');
    if (value === '') delete env[name];
    else env[name] = value;
    delete env[fileVar];
  }
}
