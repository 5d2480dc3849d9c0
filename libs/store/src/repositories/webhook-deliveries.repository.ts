import type { FindingStatus, WebhookDelivery } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export type WebhookDeliveryRecord = WebhookDelivery;

export interface DeliveryPlan {
  webhookId: string;
  runId: string;
  event: string;
  part: number;
  parts: number;
  findingStatus?: FindingStatus;
  afterKey?: string | null;
  size?: number;
}

/**
 * Records planned deliveries; one that exists already (the fan-out repeated after a crash) is kept as it is.
 * Returns every planned delivery's row, so the caller can (re-)enqueue those not finished.
 */
export async function planDeliveries(
  db: Db,
  plans: readonly DeliveryPlan[],
): Promise<WebhookDeliveryRecord[]> {
  if (plans.length === 0) return [];
  await db.webhookDelivery.createMany({
    data: plans.map((p) => ({
      webhookId: p.webhookId,
      runId: p.runId,
      event: p.event,
      part: p.part,
      parts: p.parts,
      findingStatus: p.findingStatus ?? null,
      afterKey: p.afterKey ?? null,
      size: p.size ?? 0,
    })),
    skipDuplicates: true,
  });
  return db.webhookDelivery.findMany({
    where: {
      OR: plans.map((p) => ({ webhookId: p.webhookId, runId: p.runId, event: p.event, part: p.part })),
    },
    orderBy: [{ event: 'asc' }, { part: 'asc' }],
  });
}

export async function getDelivery(db: Db, id: string): Promise<WebhookDeliveryRecord | null> {
  return db.webhookDelivery.findUnique({ where: { id } });
}

/** A webhook's deliveries, newest first. */
export async function listDeliveries(
  db: Db,
  webhookId: string,
  limit = 100,
): Promise<WebhookDeliveryRecord[]> {
  return db.webhookDelivery.findMany({
    where: { webhookId },
    orderBy: [{ createdAt: 'desc' }, { event: 'asc' }, { part: 'asc' }],
    take: limit,
  });
}

/** One attempt's outcome: `succeeded`/`failed` finish the delivery, `retrying` leaves it to the queue's backoff. */
export async function recordDeliveryAttempt(
  db: Db,
  id: string,
  outcome: {
    status: 'retrying' | 'succeeded' | 'failed';
    attempts: number;
    responseCode: number | null;
    error: string | null;
  },
  at = new Date(),
): Promise<void> {
  await db.webhookDelivery.updateMany({
    where: { id },
    data: {
      ...outcome,
      lastAttemptAt: at,
      finishedAt: outcome.status === 'retrying' ? null : at,
    },
  });
}
