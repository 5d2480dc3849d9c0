import { z } from 'zod';

import { CREDENTIAL_KINDS } from './api/credentials.js';
import { HostCoverageSchema, PortRangesSchema } from './coverage.js';
import { NetworkQualitySchema } from './network-quality.js';
import { ObservationSchema } from './observation.js';

/**
 * The distributed transport's queue contract, defined once for the controller (producer of probe
 * chunks, consumer of results) and the workers (the other way round). Jobs never carry secrets: SNMP
 * communities travel as credential ids and workers fetch them from the controller.
 */

export const QUEUES = {
  /** controller → workers: one job per chunk of a run. */
  probe: 'probe',
  /** workers → controller: observation batches and one final marker per chunk attempt. */
  results: 'results',
  /** job schedulers (one per scheduled scan definition) → controller: "start a run now". */
  schedules: 'schedules',
  /** controller → workers: one-shot PortQry queries of one target (the console's Query page). */
  queries: 'queries',
  /** controller → controller: a run's outcome fanned out to webhooks, then one job per delivery. */
  webhooks: 'webhooks',
} as const;

export const JOBS = {
  probeChunk: 'probe-chunk',
  resultBatch: 'result-batch',
  scheduledRun: 'scheduled-run',
  portqryQuery: 'portqry-query',
  runEvent: 'run-event',
  webhookDelivery: 'webhook-delivery',
} as const;

/**
 * Deterministic ids deduplicate: re-enqueueing a chunk that is still queued is a no-op. BullMQ 6 refuses
 * custom ids with one `:` (it reserves `a:b:c` for its own repeat jobs), hence the dot.
 */
export const probeChunkJobId = (runId: string, chunkIndex: number): string => `${runId}.${chunkIndex}`;
/** A worker retrying the add of one batch (e.g. across a Redis reconnect) publishes it once. */
export const resultBatchJobId = (runId: string, chunkIndex: number, attempt: string, seq: number): string =>
  `${runId}.${chunkIndex}.${attempt}.${seq < 0 ? 'final' : seq}`;
/** The scheduler of a scan definition is keyed by the definition's id: N replicas upsert one scheduler. */
export const scheduleJobSchedulerId = (scanDefinitionId: string): string => `scan.${scanDefinitionId}`;

/** A run's outcome is fanned out once, whichever replica or retry publishes it. */
export const runEventJobId = (runId: string, outcome: RunOutcome): string => `${runId}.${outcome}`;

/** Retention: enough to deduplicate and debug, bounded so Redis does not grow with every run. */
const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
} as const;

export const DEFAULT_JOB_ATTEMPTS = 5;
export const DEFAULT_JOB_BACKOFF_MS = 2_000;

/** Job options of every job the controller or a worker adds; attempts and backoff come from the env. */
export function jobOptions(retry: { attempts: number; backoffMs: number }) {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential' as const, delay: retry.backoffMs },
    ...JOB_RETENTION,
  };
}

/** A resolved, scope-checked target as the plan produced it (ProbeTarget in libs/probe). */
const ChunkTargetSchema = z.strictObject({
  host: z.string().min(1),
  address: z.string().min(1),
  family: z.union([z.literal(4), z.literal(6)]),
  exclude: z.strictObject({ tcp: PortRangesSchema, udp: PortRangesSchema }).optional(),
});
export type ChunkTarget = z.infer<typeof ChunkTargetSchema>;

/** Keys that hold SNMP secrets in protocol options, in any layout a job has had. */
const SECRET_OPTION_KEYS = new Set(['communities', 'v3Users', 'snmpV3Users']);

/** Whether a secret-bearing key appears anywhere in these options (whatever the namespace, any depth). */
function holdsSnmpSecrets(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => SECRET_OPTION_KEYS.has(k) || holdsSnmpSecrets(v));
}

/**
 * libs/probe's serialisable ScanConfig with the SNMP namespace's communities and v3 users removed and
 * replaced by credential ids. Loose objects: the probe lib owns the inner fields; what matters here is the
 * shape the worker relies on, and that no community can ride along.
 */
export const JobScanConfigSchema = z.looseObject({
  ports: z.strictObject({ tcp: PortRangesSchema, udp: PortRangesSchema }),
  limits: z.looseObject({
    concurrency: z.number().int().positive(),
    perHost: z.number().int().positive(),
    ratePerSecond: z.number().nonnegative(),
    hostGroupSize: z.number().int().positive(),
  }),
  timing: z.looseObject({
    minTimeoutMs: z.number().positive(),
    maxTimeoutMs: z.number().positive(),
    initialTimeoutMs: z.number().positive(),
  }),
  scope: z.strictObject({ allow: z.array(z.string()), deny: z.array(z.string()).optional() }),
  queries: z.union([z.literal('all'), z.array(z.string())]),
  protocolOptions: z
    .looseObject({})
    .refine(
      (o) => !holdsSnmpSecrets(o),
      'communities and SNMPv3 users travel as credential ids, never in a job',
    ),
  tcpQueryTimeoutMs: z.number().positive(),
  udpQueryTimeoutMs: z.number().positive(),
  /** Absent in jobs queued before it existed; the worker then applies the default. */
  udpQuietMinMs: z.number().positive().optional(),
  /**
   * Stored SNMP credentials to try, in order: communities (none means the default, public) and SNMPv3
   * users (`snmp-v3-user`). The name predates v3 users; jobs already queued keep their meaning.
   */
  communityCredentialIds: z.array(z.uuid()).max(256),
});
export type JobScanConfig = z.infer<typeof JobScanConfigSchema>;

export const ProbeChunkJobSchema = z.strictObject({
  runId: z.uuid(),
  chunkIndex: z.number().int().nonnegative(),
  targets: z.array(ChunkTargetSchema).min(1),
  /** Probes this chunk stands for (hosts × probes per host), for progress. */
  probes: z.number().int().nonnegative(),
  config: JobScanConfigSchema,
});
export type ProbeChunkJob = z.infer<typeof ProbeChunkJobSchema>;

/**
 * A job as it travels through Redis: its data and the controller's signature over it, an HMAC-SHA256 of the
 * job's name and its canonical JSON (RFC 8785) under FLEETQRY_JOB_KEY. Redis is a trust boundary: whoever
 * can write to it cannot forge work without the key, and workers verify before reading anything else.
 */
export interface SignedJob<T> {
  job: T;
  /** `hmac-sha256:` and the MAC in base64url. */
  sig: string;
}
export const JOB_SIGNATURE_PREFIX = 'hmac-sha256:';
/** Only the envelope's shape: the job inside is validated after its signature is. */
export const SignedJobSchema = z.strictObject({
  job: z.unknown(),
  sig: z.string().regex(/^hmac-sha256:[A-Za-z0-9_-]{43}$/, 'an hmac-sha256 signature'),
});

/** The signing key, and the previous one, still accepted while a rotation rolls out. */
export const JOB_KEY_ENV = 'FLEETQRY_JOB_KEY';
export const JOB_KEY_PREVIOUS_ENV = 'FLEETQRY_JOB_KEY_PREVIOUS';
export const JobKeySchema = z
  .string()
  .min(32, 'must be at least 32 characters (openssl rand -base64 32)')
  .max(1024, 'must be at most 1024 characters');

const TargetFailureSchema = z.strictObject({
  given: z.string(),
  host: z.string(),
  address: z.string().optional(),
  error: z.string(),
});

/**
 * Results of one chunk attempt, in order: informative observations and the compact coverage of hosts done
 * (plain closed ports as ranges); `final` closes the attempt and counts its batches.
 */
export const ResultBatchJobSchema = z.strictObject({
  runId: z.uuid(),
  chunkIndex: z.number().int().nonnegative(),
  /** Random per processing of the chunk: batches of two attempts (a retry after a crash) never mix. */
  attempt: z.string().min(1).max(64),
  /** 0, 1, … for batches; -1 for the final marker. */
  seq: z.number().int().min(-1),
  observations: z.array(ObservationSchema),
  /** Absent in batches published before coverage existed. */
  coverage: z.array(HostCoverageSchema).default([]),
  failures: z.array(TargetFailureSchema),
  /** Present on the final marker only; `network` is absent from workers that predate it. */
  final: z
    .strictObject({
      batches: z.number().int().nonnegative(),
      observations: z.number().int().nonnegative(),
      network: NetworkQualitySchema.optional(),
    })
    .optional(),
});
export type ResultBatchJob = z.infer<typeof ResultBatchJobSchema>;

export const ScheduledRunJobSchema = z.strictObject({ scanDefinitionId: z.uuid() });
export type ScheduledRunJob = z.infer<typeof ScheduledRunJobSchema>;

/** The worker → controller credential fetch (`GET /internal/credentials/:id`, bearer worker token). */
/** A credential opened for a worker: its kind tells how to use the secret, the principal is its identity. */
export const CredentialSecretResponseSchema = z.strictObject({
  kind: z.enum(CREDENTIAL_KINDS),
  secret: z.string(),
  principal: z.string().nullable(),
});
export type CredentialSecretResponse = z.infer<typeof CredentialSecretResponseSchema>;
export const INTERNAL_CREDENTIALS_PATH = '/internal/credentials';

/**
 * A one-shot PortQry query: one resolved, scope-checked target and the scan config (PortQry's UDP mode, the
 * default community only). The worker answers with the job's return value (QueryJobResult).
 */
export const QueryJobSchema = z.strictObject({
  queryId: z.uuid(),
  /** The target as the user typed it, and whether it was a name (PortQry's preamble says so). */
  given: z.string().min(1),
  isName: z.boolean(),
  target: ChunkTargetSchema,
  config: JobScanConfigSchema,
});
export type QueryJob = z.infer<typeof QueryJobSchema>;

export const QueryJobResultSchema = z.strictObject({
  text: z.string(),
  observations: z.array(ObservationSchema),
  errors: z.array(
    z.strictObject({ proto: z.enum(['tcp', 'udp']), port: z.number().int(), error: z.string() }),
  ),
  durationMs: z.number().nonnegative(),
});
export type QueryJobResult = z.infer<typeof QueryJobResultSchema>;

/**
 * The chunk a credential is asked for (`?run=…&chunk=…`): the controller serves it only while that chunk is
 * open, its run is running and the run's frozen plan lists the credential.
 */
export const CredentialRequestQuerySchema = z.strictObject({
  run: z.uuid(),
  chunk: z.coerce
    .number()
    .int()
    .nonnegative()
    .max(2 ** 31 - 1),
});
export type CredentialRequestQuery = z.infer<typeof CredentialRequestQuerySchema>;
/** Which worker asks (its pod or host name and process id), for the audit log. */
export const WORKER_ID_HEADER = 'x-fleetqry-worker';
export const WorkerIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:/@-]{1,128}$/, 'a worker id (1-128 of A-Z a-z 0-9 . _ : / @ -)');
/** A finished run, to be turned into webhook deliveries (the fan-out reads the findings from the store). */
const RUN_OUTCOMES = ['completed', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
export const RunEventJobSchema = z.strictObject({ runId: z.uuid(), outcome: z.enum(RUN_OUTCOMES) });
export type RunEventJob = z.infer<typeof RunEventJobSchema>;

/** One delivery by id (its job id too); the body is built from the store at each attempt, never queued. */
export const WebhookDeliveryJobSchema = z.strictObject({ deliveryId: z.uuid() });
export type WebhookDeliveryJob = z.infer<typeof WebhookDeliveryJobSchema>;
