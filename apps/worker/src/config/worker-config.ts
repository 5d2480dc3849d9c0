import { hostname } from 'node:os';

import {
  DEFAULT_JOB_ATTEMPTS,
  DEFAULT_JOB_BACKOFF_MS,
  EnvConfigError,
  loadEnv,
  LOCAL_REDIS_URL,
  RedisUrlSchema,
  type RedisOptions,
} from '@fleetqry/contracts';
import { parseScopeList, Scope, ScopeConfigError, type ScopeConfig } from '@fleetqry/probe';
import { loadJobKeys, type JobKeys } from '@fleetqry/sweep/jobs';
import { z } from 'zod';

/**
 * The worker's whole configuration, from the environment, validated once at start: a bad value stops
 * the process with a message naming the variable, before any job is taken. A worker needs Redis and
 * the controller's URL (for credentials), never the database.
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const port = z.number().int().min(0).max(65535);

const EnvSchema = z.object({
  REDIS_URL: z.string().default(LOCAL_REDIS_URL).pipe(RedisUrlSchema),
  FLEETQRY_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, . _ - (no colon)')
    .default('fleetqry'),
  FLEETQRY_CONTROLLER_URL: z.url({ protocol: /^https?$/ }),
  FLEETQRY_WORKER_TOKEN: z.string().min(32, 'must be at least 32 characters'),
  /**
   * The worker's own scope, checked on every address right before it is probed, whatever a job says.
   * Required: a worker does not trust Redis to tell it what it may reach.
   */
  FLEETQRY_SCOPE_ALLOW: z.string(),
  FLEETQRY_SCOPE_DENY: z.string().optional(),
  /** Chunks probed at once by this process. */
  FLEETQRY_WORKER_CONCURRENCY: int(1, 64).default(1),
  /** Cap on probes in flight within one chunk (the plan's limit applies if lower). */
  FLEETQRY_WORKER_PROBE_CONCURRENCY: int(1, 65536).default(256),
  /** Cap on new connections/datagrams per second within one chunk; 0 = the plan's rate. */
  FLEETQRY_WORKER_RATE: z.coerce.number().min(0).max(1e6).default(0),
  /** Scanner threads per chunk (libs/probe decides when threads pay off); 0 = let it decide. */
  FLEETQRY_WORKER_THREADS: int(0, 64).default(0),
  /** Ceiling of any single probe's wait and of any protocol query (ms): every probe has a deadline. */
  FLEETQRY_PROBE_DEADLINE_MS: int(100, 120_000).default(10_000),
  /** A whole chunk is abandoned (and retried by BullMQ) after this long (ms). */
  FLEETQRY_CHUNK_DEADLINE_MS: int(1_000, 24 * 3600_000).default(15 * 60_000),
  /** Records per result batch: informative observations plus per-host coverage records (one row each). */
  FLEETQRY_RESULT_BATCH: int(1, 50_000).default(500),
  /** A batch is published at least this often while a chunk runs (ms), for progress. */
  FLEETQRY_RESULT_FLUSH_MS: int(50, 60_000).default(2_000),
  /** Job lock: a worker that dies loses its chunk to another after about this long (ms). */
  FLEETQRY_WORKER_LOCK_MS: int(1_000, 600_000).default(30_000),
  FLEETQRY_JOB_ATTEMPTS: int(1, 100).default(DEFAULT_JOB_ATTEMPTS),
  FLEETQRY_JOB_BACKOFF_MS: int(0, 3600_000).default(DEFAULT_JOB_BACKOFF_MS),
  /** On SIGTERM, running chunks get this long to finish before they are aborted (and retried elsewhere). */
  FLEETQRY_SHUTDOWN_GRACE_MS: int(0, 3600_000).default(25_000),
  /**
   * Health and metrics only. A port, a range `A-B` (the first free one is taken, so several workers share a
   * host), or 0 for any free port; the port taken is logged.
   */
  FLEETQRY_WORKER_PORT: z
    .string()
    .regex(/^\d{1,5}(-\d{1,5})?$/, 'a port, a range A-B, or 0 for any free port')
    .transform(parsePortRange)
    .pipe(
      z
        .object({ from: port, to: port })
        .refine((r) => r.from <= r.to, 'the range must go upwards')
        .refine((r) => r.from > 0 || r.to === 0, '0 (any free port) cannot start a range'),
    )
    .default({ from: 9464, to: 9563 }),
  FLEETQRY_WORKER_HOST: z.string().default('0.0.0.0'),
  FLEETQRY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

function parsePortRange(text: string): { from: number; to: number } {
  const [from, to = from] = text.split('-');
  return { from: Number(from), to: Number(to) };
}

export interface WorkerConfig {
  redis: RedisOptions;
  prefix: string;
  controllerUrl: string;
  workerToken: string;
  /** Sent with every credential request, for the controller's audit log (pod name and pid). */
  workerId: string;
  jobKeys: JobKeys;
  scope: ScopeConfig;
  concurrency: number;
  probeConcurrency: number;
  rate: number;
  threads: number | undefined;
  probeDeadlineMs: number;
  chunkDeadlineMs: number;
  resultBatch: number;
  resultFlushMs: number;
  lockMs: number;
  retry: { attempts: number; backoffMs: number };
  shutdownGraceMs: number;
  /** Ports tried in order for health and metrics; `{0, 0}` = any free port. */
  port: { from: number; to: number };
  host: string;
  logLevel: z.infer<typeof EnvSchema>['FLEETQRY_LOG_LEVEL'];
}

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  // The error names the variable, never its value (FLEETQRY_WORKER_TOKEN is a secret).
  const e = loadEnv(EnvSchema, env, 'worker configuration');
  const jobKeys = loadJobKeys(env);
  const scope = {
    allow: parseScopeList(e.FLEETQRY_SCOPE_ALLOW),
    deny: parseScopeList(e.FLEETQRY_SCOPE_DENY ?? ''),
  };
  try {
    new Scope(scope);
  } catch (error) {
    const which = error instanceof ScopeConfigError && error.list === 'deny' ? 'DENY' : 'ALLOW';
    throw new EnvConfigError(`FLEETQRY_SCOPE_${which}: ${(error as Error).message}`);
  }
  if (scope.allow.length === 0) throw new EnvConfigError('FLEETQRY_SCOPE_ALLOW lists no address or CIDR');
  return {
    redis: e.REDIS_URL,
    prefix: e.FLEETQRY_QUEUE_PREFIX,
    controllerUrl: e.FLEETQRY_CONTROLLER_URL.replace(/\/+$/, ''),
    workerToken: e.FLEETQRY_WORKER_TOKEN,
    workerId: `${hostname()}/${process.pid}`.replace(/[^A-Za-z0-9._:/@-]/g, '_').slice(0, 128),
    jobKeys,
    scope,
    concurrency: e.FLEETQRY_WORKER_CONCURRENCY,
    probeConcurrency: e.FLEETQRY_WORKER_PROBE_CONCURRENCY,
    rate: e.FLEETQRY_WORKER_RATE,
    threads: e.FLEETQRY_WORKER_THREADS || undefined,
    probeDeadlineMs: e.FLEETQRY_PROBE_DEADLINE_MS,
    chunkDeadlineMs: e.FLEETQRY_CHUNK_DEADLINE_MS,
    resultBatch: e.FLEETQRY_RESULT_BATCH,
    resultFlushMs: e.FLEETQRY_RESULT_FLUSH_MS,
    lockMs: e.FLEETQRY_WORKER_LOCK_MS,
    retry: { attempts: e.FLEETQRY_JOB_ATTEMPTS, backoffMs: e.FLEETQRY_JOB_BACKOFF_MS },
    shutdownGraceMs: e.FLEETQRY_SHUTDOWN_GRACE_MS,
    port: e.FLEETQRY_WORKER_PORT,
    host: e.FLEETQRY_WORKER_HOST,
    logLevel: e.FLEETQRY_LOG_LEVEL,
  };
}
