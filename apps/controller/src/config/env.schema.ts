import { loadCredentialKey, type CredentialKey } from '@fleetqry/store';
import { DEFAULT_SCOPE, parseScopeList, Scope, ScopeConfigError } from '@fleetqry/probe';
import { loadJobKeys, type JobKeys } from '@fleetqry/sweep/jobs';
import {
  applySecretFiles,
  checkEnv,
  EnvConfigError,
  RedisUrlSchema,
  type RedisOptions,
} from '@fleetqry/contracts';
import { z } from 'zod';

/** Bad configuration: the message names each variable at fault and never prints a secret's value. */
export class ConfigError extends EnvConfigError {
  constructor(readonly problems: string[]) {
    super(`invalid controller configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const cidrList = z.string().transform(parseScopeList);

// The bootstrap admin token must look like the tokens the API issues (libs/store's `fq_` + base64url), and be
// long enough that it was not typed by hand.
const ADMIN_TOKEN = /^fq_[A-Za-z0-9_-]{32,}$/;

const EnvSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'),
  REDIS_URL: RedisUrlSchema,
  FLEETQRY_ADMIN_TOKEN: z
    .string()
    .regex(
      ADMIN_TOKEN,
      'must be "fq_" followed by at least 32 base64url characters (openssl rand -base64 32 | tr "+/" "-_" | tr -d =)',
    )
    .optional(),
  FLEETQRY_WORKER_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  FLEETQRY_SCOPE_ALLOW: cidrList.optional(),
  FLEETQRY_SCOPE_DENY: cidrList.optional(),
  /** BullMQ key prefix; the workers' FLEETQRY_QUEUE_PREFIX must match. */
  FLEETQRY_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, . _ - (no colon)')
    .default('fleetqry'),
  FLEETQRY_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  FLEETQRY_HOST: z.string().min(1).default('0.0.0.0'),
  FLEETQRY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Behind an ingress/load balancer, the client address comes from X-Forwarded-For (express `trust proxy`). */
  FLEETQRY_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** Failed authentications a client address may make per minute before it is answered 429. */
  FLEETQRY_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  /** The built web console (apps/web/dist); served at / when the directory exists. */
  FLEETQRY_WEB_DIR: z.string().min(1).optional(),
});

export interface AppConfig {
  databaseUrl: string;
  /** REDIS_URL as connection options: the one parse, shared by every Redis client of the controller. */
  redis: RedisOptions;
  adminToken?: string;
  workerToken?: string;
  credentialKey: CredentialKey;
  /** Signs every probe job (FLEETQRY_JOB_KEY); workers verify with the same key. */
  jobKeys: JobKeys;
  /** The deployment's scope ceiling; stored scope rules narrow it (see ScopeService). */
  scope: { allow: string[]; deny: string[] };
  queuePrefix: string;
  port: number;
  host: string;
  logLevel: z.infer<typeof EnvSchema>['FLEETQRY_LOG_LEVEL'];
  trustProxy: boolean;
  authFailuresPerMinute: number;
  /** The console's static files; unset: apps/web/dist of this checkout. */
  webDir?: string;
}

/** Reads and validates the environment once, at start; every problem is reported, not just the first. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  // <NAME>_FILE secrets (compose secrets, mounted files) first, into env itself: later readers see them too.
  try {
    applySecretFiles(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const parsed = checkEnv(EnvSchema, env);
  if (!parsed.ok) problems.push(...parsed.problems);
  let credentialKey: CredentialKey | undefined;
  try {
    credentialKey = loadCredentialKey(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  let jobKeys: JobKeys | undefined;
  try {
    jobKeys = loadJobKeys(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  // Checked even when other variables are wrong, so one start reports every problem.
  const list = (name: string) => (env[name] ? cidrList.parse(env[name]) : undefined);
  const scope = {
    allow: list('FLEETQRY_SCOPE_ALLOW') ?? [...DEFAULT_SCOPE.allow],
    deny: list('FLEETQRY_SCOPE_DENY') ?? [],
  };
  try {
    new Scope(scope);
  } catch (error) {
    const which = error instanceof ScopeConfigError && error.list === 'deny' ? 'DENY' : 'ALLOW';
    problems.push(`FLEETQRY_SCOPE_${which}: ${(error as Error).message}`);
  }
  if (problems.length > 0 || !parsed.ok || !credentialKey || !jobKeys) throw new ConfigError(problems);
  const e = parsed.env;
  return {
    databaseUrl: e.DATABASE_URL,
    redis: e.REDIS_URL,
    ...(e.FLEETQRY_ADMIN_TOKEN ? { adminToken: e.FLEETQRY_ADMIN_TOKEN } : {}),
    ...(e.FLEETQRY_WORKER_TOKEN ? { workerToken: e.FLEETQRY_WORKER_TOKEN } : {}),
    credentialKey,
    jobKeys,
    scope,
    queuePrefix: e.FLEETQRY_QUEUE_PREFIX,
    port: e.FLEETQRY_PORT,
    host: e.FLEETQRY_HOST,
    logLevel: e.FLEETQRY_LOG_LEVEL,
    trustProxy: e.FLEETQRY_TRUST_PROXY === 'true',
    authFailuresPerMinute: e.FLEETQRY_AUTH_FAILURES_PER_MINUTE,
    ...(e.FLEETQRY_WEB_DIR ? { webDir: e.FLEETQRY_WEB_DIR } : {}),
  };
}
