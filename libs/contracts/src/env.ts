import { z } from 'zod';

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

/** Where a worker looks for Redis when REDIS_URL is not set. */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

/** REDIS_URL as ioredis options; a value that is not a Redis URL is an issue on the variable (never echoed). */
export const RedisUrlSchema = z.string().transform((value, ctx): RedisOptions => {
  try {
    return parseRedisUrl(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * The environment through a zod schema, blank values counting as unset (a blank line in an .env file).
 * Every problem names its variable (a missing one said plainly, not as zod's "expected string, received
 * undefined"), never its value. For loaders that collect problems of their own too; else `loadEnv`.
 */
export function checkEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
): { ok: true; env: z.infer<S> } | { ok: false; problems: string[] } {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (parsed.success) return { ok: true, env: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => {
      const name = i.path.join('.') || '(environment)';
      return present[name] === undefined ? `${name} is not set` : `${name}: ${i.message}`;
    }),
  };
}

/**
 * The one way controller and worker read their environment: `<NAME>_FILE` secrets resolved first, then
 * `checkEnv`; any problem is one EnvConfigError naming every variable at fault. `what` names the
 * configuration in the message.
 */
export function loadEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what: string): z.infer<S> {
  applySecretFiles(env);
  const checked = checkEnv(schema, env);
  if (!checked.ok) throw new EnvConfigError(`invalid ${what}: ${checked.problems.join('; ')}`);
  return checked.env;
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
