import {
  DEFAULT_JOB_ATTEMPTS,
  DEFAULT_JOB_BACKOFF_MS,
  loadEnv,
  type RedisOptions,
} from '@fleetqry/contracts';
import { z } from 'zod';

import type { AppConfig } from '../config/app-config.js';

/**
 * Dispatch settings (queues, chunking, retries, recovery), from the environment, validated at start with
 * the variable named on error. Shared settings (REDIS_URL, the queue prefix, scope) come from AppConfig,
 * which parsed them once.
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((s) => s.split(/[\s,]+/).filter(Boolean));

const EnvSchema = z.object({
  /** Target size of a chunk in probes (hosts × probes per host); a chunk holds at least one host. */
  FLEETQRY_CHUNK_PROBES: int(1, 10_000_000).default(4096),
  FLEETQRY_JOB_ATTEMPTS: int(1, 100).default(DEFAULT_JOB_ATTEMPTS),
  FLEETQRY_JOB_BACKOFF_MS: int(0, 3600_000).default(DEFAULT_JOB_BACKOFF_MS),
  /** Result batches ingested at once by this controller. */
  FLEETQRY_INGEST_CONCURRENCY: int(1, 64).default(4),
  /** How often each controller re-checks running runs against Redis (missing chunks, lost results). */
  FLEETQRY_RECONCILE_MS: int(200, 3600_000).default(10_000),
  /** A chunk whose job completed this long ago without its results arriving is probed again. */
  FLEETQRY_RESULTS_GRACE_MS: int(0, 3600_000).default(60_000),
  /** A run without any ingest for this long is failed (no worker, or every worker stuck). */
  FLEETQRY_RUN_STALE_MS: int(1_000, 7 * 24 * 3600_000).default(3600_000),
  /** Start-run requests fail with 503 if Redis does not answer within this (ms). */
  FLEETQRY_REDIS_TIMEOUT_MS: int(50, 30_000).default(1_000),
  /** Site defaults the planner starts from, like fleetqry.config.yaml for the CLI. */
  FLEETQRY_EXCLUDE_PORTS: z.string().default(''),
  FLEETQRY_DNS_SERVERS: list.default([]),
  FLEETQRY_MAX_HOSTS: int(1, 16_777_216).default(65_536),
  FLEETQRY_REVERSE_DNS: z.enum(['true', 'false']).default('false'),
  /** Set false on a controller that must not process queues (e.g. an API-only replica). */
  FLEETQRY_DISPATCH_WORKERS: z.enum(['true', 'false']).default('true'),
  /** Retention: finished runs kept per scan definition, and the age in days past which they go; unset keeps all. */
  FLEETQRY_RETENTION_RUNS: int(1, 1_000_000).optional(),
  FLEETQRY_RETENTION_DAYS: int(1, 36_500).optional(),
});

export interface DispatchConfig {
  redis: RedisOptions;
  prefix: string;
  chunkProbes: number;
  retry: { attempts: number; backoffMs: number };
  ingestConcurrency: number;
  reconcileMs: number;
  resultsGraceMs: number;
  runStaleMs: number;
  redisTimeoutMs: number;
  excludePorts: string;
  dnsServers: string[];
  maxHosts: number;
  reverseDns: boolean;
  processQueues: boolean;
  retention: { keepRuns?: number; olderThanDays?: number };
}

export const DISPATCH_CONFIG = Symbol('fleetqry:dispatch-config');

export function loadDispatchConfig(
  app: Pick<AppConfig, 'redis' | 'queuePrefix'>,
  env: NodeJS.ProcessEnv = process.env,
): DispatchConfig {
  const e = loadEnv(EnvSchema, env, 'dispatch configuration');
  return {
    redis: app.redis,
    prefix: app.queuePrefix,
    chunkProbes: e.FLEETQRY_CHUNK_PROBES,
    retry: { attempts: e.FLEETQRY_JOB_ATTEMPTS, backoffMs: e.FLEETQRY_JOB_BACKOFF_MS },
    ingestConcurrency: e.FLEETQRY_INGEST_CONCURRENCY,
    reconcileMs: e.FLEETQRY_RECONCILE_MS,
    resultsGraceMs: e.FLEETQRY_RESULTS_GRACE_MS,
    runStaleMs: e.FLEETQRY_RUN_STALE_MS,
    redisTimeoutMs: e.FLEETQRY_REDIS_TIMEOUT_MS,
    excludePorts: e.FLEETQRY_EXCLUDE_PORTS,
    dnsServers: e.FLEETQRY_DNS_SERVERS,
    maxHosts: e.FLEETQRY_MAX_HOSTS,
    reverseDns: e.FLEETQRY_REVERSE_DNS === 'true',
    processQueues: e.FLEETQRY_DISPATCH_WORKERS === 'true',
    retention: { keepRuns: e.FLEETQRY_RETENTION_RUNS, olderThanDays: e.FLEETQRY_RETENTION_DAYS },
  };
}
