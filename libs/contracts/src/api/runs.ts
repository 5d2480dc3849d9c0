import { z } from 'zod';

import { NetworkQualitySchema } from '../network-quality.js';
import { PlanFailureSchema } from '../report.js';

/** A run as the API shows it: status, progress in probes, hosts and chunks, timings. */
export const RunViewSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  trigger: z.enum(['manual', 'schedule', 'cli']),
  scanDefinitionId: z.string().nullable(),
  policy: z.object({ name: z.string().nullable(), version: z.number().int().nullable() }),
  hosts: z.number().int(),
  progress: z.object({
    totalProbes: z.number().int(),
    /** Probes whose results are stored (ingest progress). */
    doneProbes: z.number().int(),
    chunks: z.number().int().optional(),
    doneChunks: z.number().int().optional(),
    /** `evaluating` once every probe is in and the policy runs over the run's hosts. */
    stage: z.enum(['probing', 'evaluating']).nullable(),
    evaluatedHosts: z.number().int(),
  }),
  /** Retransmissions the probes needed, ports answered only after one, ports left without an answer. */
  network: NetworkQualitySchema,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  heartbeatAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type RunView = z.infer<typeof RunViewSchema>;

/** `GET /runs/:id`: the run and the targets its plan could not resolve. */
export const RunDetailSchema = RunViewSchema.extend({ planFailures: z.array(PlanFailureSchema) });
/** `POST /runs`: `created` is false when the idempotency key named an existing run. */
export const RunStartedSchema = RunViewSchema.extend({ created: z.boolean() });
export const RunCancelledSchema = RunViewSchema.extend({
  cancelled: z.boolean(),
  withdrawnChunks: z.number().int(),
});
