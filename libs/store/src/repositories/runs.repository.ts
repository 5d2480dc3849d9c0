import { PlanFailureSchema, type NetworkQuality, type PlanFailure } from '@fleetqry/contracts';

import type { Prisma, Run, RunStatus, RunTrigger } from '../generated/prisma/client.js';
import type { SqlConnection } from '../client/sql-connection.js';
import { type Db, isUniqueViolation } from './db.js';

type RunCounter = 'totalProbes' | 'doneProbes' | 'retransmissions' | 'recovered' | 'undecided';

/** A run with its BigInt counters as numbers (2^53 probes is beyond any sweep). */
export type RunRecord = Omit<Run, RunCounter> & Record<RunCounter, number>;

export function toRunRecord(run: Run): RunRecord {
  return {
    ...run,
    totalProbes: Number(run.totalProbes),
    doneProbes: Number(run.doneProbes),
    retransmissions: Number(run.retransmissions),
    recovered: Number(run.recovered),
    undecided: Number(run.undecided),
  };
}

/** The run's evidence of network quality (see NetworkQuality). */
export function runNetworkQuality(
  run: Pick<RunRecord, 'retransmissions' | 'recovered' | 'undecided'>,
): NetworkQuality {
  return { retransmissions: run.retransmissions, recovered: run.recovered, undecided: run.undecided };
}

/** The targets the run's plan could not resolve (`plan.planFailures`, both transports); none when unrecorded. */
export function runPlanFailures(run: Pick<RunRecord, 'plan'>): PlanFailure[] {
  const plan = run.plan as { planFailures?: unknown } | null;
  const parsed = PlanFailureSchema.array().safeParse(plan?.planFailures ?? []);
  return parsed.success ? parsed.data : [];
}

export interface CreateRunInput {
  trigger: RunTrigger;
  scanDefinitionId?: string;
  /** Same key → same run: a retried "start scan" request or schedule tick on another replica is a no-op. */
  idempotencyKey?: string;
  policyName?: string;
  policyVersion?: number;
  plan?: Prisma.InputJsonValue;
  totalProbes?: number;
  hosts?: number;
}

export async function createRun(
  db: Db,
  input: CreateRunInput,
): Promise<{ run: RunRecord; created: boolean }> {
  const data: Prisma.RunUncheckedCreateInput = {
    trigger: input.trigger,
    scanDefinitionId: input.scanDefinitionId ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    policyName: input.policyName ?? null,
    policyVersion: input.policyVersion ?? null,
    totalProbes: BigInt(input.totalProbes ?? 0),
    hosts: input.hosts ?? 0,
    ...(input.plan !== undefined ? { plan: input.plan } : {}),
  };
  try {
    const run = await db.run.create({ data });
    // The run's own partitions of observations, coverage and findings (retention drops them whole).
    await db.$queryRawUnsafe(`SELECT 1 AS ok FROM "fleetqry_add_run_partitions"($1::uuid)`, run.id);
    return { run: toRunRecord(run), created: true };
  } catch (error) {
    if (!input.idempotencyKey || !isUniqueViolation(error)) throw error;
    const existing = await db.run.findUniqueOrThrow({ where: { idempotencyKey: input.idempotencyKey } });
    return { run: toRunRecord(existing), created: false };
  }
}

export async function startRun(db: Db, id: string, at = new Date()): Promise<RunRecord> {
  return toRunRecord(
    await db.run.update({ where: { id }, data: { status: 'running', startedAt: at, heartbeatAt: at } }),
  );
}

/** The bulk paths' progress step on a raw session: probes added atomically, heartbeat refreshed. */
export async function addRunProgress(conn: SqlConnection, id: string, doneProbes: number): Promise<void> {
  await conn.query(
    `UPDATE "runs" SET "done_probes" = "done_probes" + $2, "heartbeat_at" = now() WHERE "id" = $1::uuid`,
    [id, doneProbes],
  );
}

/** The evaluation's progress on a raw session: the stage, hosts evaluated so far, and the heartbeat. */
export async function setRunEvaluated(
  conn: SqlConnection,
  id: string,
  evaluatedHosts: number,
): Promise<void> {
  await conn.query(
    `UPDATE "runs" SET "stage" = 'evaluating', "evaluated_hosts" = $2, "heartbeat_at" = now() WHERE "id" = $1::uuid`,
    [id, evaluatedHosts],
  );
}

/** Adds fields to a run's plan (JSON), e.g. the policy's rules as the evaluate stage applied them. */
export async function mergeRunPlan(
  conn: SqlConnection,
  id: string,
  fields: Record<string, unknown>,
): Promise<void> {
  await conn.query(
    `UPDATE "runs" SET "plan" = coalesce("plan", '{}'::jsonb) || $2::jsonb WHERE "id" = $1::uuid`,
    [id, JSON.stringify(fields)],
  );
}

export type FinalRunStatus = Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>;

/**
 * Finishes a queued or running run; false if it had already finished (first outcome wins). `network`: the
 * probe stage's evidence of network quality, when one process probed the whole run (distributed runs sum
 * their chunks' as the chunks complete).
 */
export async function finishRun(
  db: Db,
  id: string,
  outcome: { status: FinalRunStatus; error?: string; network?: NetworkQuality },
  at = new Date(),
): Promise<boolean> {
  const { network } = outcome;
  const { count } = await db.run.updateMany({
    where: { id, status: { in: ['queued', 'running'] } },
    data: {
      status: outcome.status,
      finishedAt: at,
      error: outcome.error ?? null,
      ...(network
        ? {
            retransmissions: BigInt(network.retransmissions),
            recovered: BigInt(network.recovered),
            undecided: BigInt(network.undecided),
          }
        : {}),
    },
  });
  return count === 1;
}

/**
 * Marks runs whose process died as failed. Embedded mode calls it with `before: new Date()` on open (the
 * data-dir lock proves no other process is running); the controller with a heartbeat horizon.
 */
export async function failStaleRuns(
  db: Db,
  before: Date,
  reason = 'interrupted: the process running it stopped',
): Promise<number> {
  const { count } = await db.run.updateMany({
    where: {
      status: { in: ['queued', 'running'] },
      OR: [{ heartbeatAt: { lt: before } }, { heartbeatAt: null, createdAt: { lt: before } }],
    },
    data: { status: 'failed', finishedAt: new Date(), error: reason },
  });
  return count;
}

/** By uuid or by the human run number ("7"). */
export async function getRun(db: Db, idOrNumber: string): Promise<RunRecord | null> {
  const where = /^\d+$/.test(idOrNumber) ? { number: Number(idOrNumber) } : { id: idOrNumber };
  const run = await db.run.findUnique({ where });
  return run ? toRunRecord(run) : null;
}

export async function listRuns(
  db: Db,
  filter: { scanDefinitionId?: string; limit?: number } = {},
): Promise<RunRecord[]> {
  const runs = await db.run.findMany({
    where: filter.scanDefinitionId ? { scanDefinitionId: filter.scanDefinitionId } : {},
    orderBy: { number: 'desc' },
    take: filter.limit ?? 50,
  });
  return runs.map(toRunRecord);
}

/** The newest succeeded run (of one scan definition, or of any): one probe of the (status, number) index. */
export async function latestSucceededRun(db: Db, scanDefinitionId?: string): Promise<RunRecord | null> {
  const run = await db.run.findFirst({
    where: { status: 'succeeded', ...(scanDefinitionId ? { scanDefinitionId } : {}) },
    orderBy: { number: 'desc' },
  });
  return run ? toRunRecord(run) : null;
}

/**
 * Each scan definition's newest succeeded run (scans without one are left out): one probe of the
 * (scan definition, status, number) index per scan definition.
 */
export async function latestSucceededRunPerScan(
  conn: SqlConnection,
): Promise<{ scan: string; runId: string }[]> {
  const r = await conn.query<{ scan: string; runId: string }>(
    `SELECT s."name" AS "scan", r."id" AS "runId" FROM "scan_definitions" s
       CROSS JOIN LATERAL (SELECT "id" FROM "runs"
                            WHERE "scan_definition_id" = s."id" AND "status" = 'succeeded'
                            ORDER BY "number" DESC LIMIT 1) r`,
  );
  return r.rows;
}

/** The latest succeeded run of the same scan definition before this one: the baseline for the delta. */
export async function previousRun(
  db: Db,
  run: Pick<Run, 'scanDefinitionId' | 'number'>,
): Promise<RunRecord | null> {
  if (!run.scanDefinitionId) return null;
  const prev = await db.run.findFirst({
    where: { scanDefinitionId: run.scanDefinitionId, status: 'succeeded', number: { lt: run.number } },
    orderBy: { number: 'desc' },
  });
  return prev ? toRunRecord(prev) : null;
}

/**
 * Queued or running runs whose heartbeat (or creation, before the first one) is older than `before`: the
 * controller fails them one at a time so it can also withdraw their queued chunks.
 */
/** Whether any run succeeded at or after `at`. */
export async function runSucceededSince(db: Db, at: Date): Promise<boolean> {
  return (await db.run.count({ where: { status: 'succeeded', finishedAt: { gte: at } } })) > 0;
}

/** The run created under an idempotency key, if any. */
export async function runByIdempotencyKey(db: Db, key: string): Promise<RunRecord | null> {
  const run = await db.run.findUnique({ where: { idempotencyKey: key } });
  return run ? toRunRecord(run) : null;
}

export async function staleRunIds(db: Db, before: Date): Promise<string[]> {
  const runs = await db.run.findMany({
    where: {
      status: { in: ['queued', 'running'] },
      OR: [{ heartbeatAt: { lt: before } }, { heartbeatAt: null, createdAt: { lt: before } }],
    },
    select: { id: true },
  });
  return runs.map((r) => r.id);
}
