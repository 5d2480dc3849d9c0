import { Inject, Injectable, Logger } from '@nestjs/common';
import { JOBS, jobOptions, type RunOutcome, type WebhookEvent } from '@fleetqry/contracts';
import {
  countFindingsByStatus,
  getRun,
  listWebhooks,
  nthFindingKeyAfter,
  planDeliveries,
  type DbFindingStatus,
  type DeliveryPlan,
  type WebhookDeliveryRecord,
  type WebhookInfo,
} from '@fleetqry/store';

import { DispatchQueues } from '../dispatch/dispatch-queues.js';
import { StoreService } from '../store/store.service.js';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from './webhooks-config.js';

const CHANGES: ReadonlyArray<{ event: WebhookEvent; status: DbFindingStatus }> = [
  { event: 'violations.new', status: 'new' },
  { event: 'violations.resolved', status: 'resolved' },
];

/**
 * A finished run → the deliveries its webhooks get. Change only: `violations.new`/`.resolved` are planned
 * only when the run has findings of that status. A json webhook gets one delivery per page of at most
 * FLEETQRY_WEBHOOK_BATCH findings; pages are found by their boundary keys, one index-only read each, and
 * planned and enqueued page by page, so neither a 100k-finding run nor its deliveries are ever in memory.
 * Slack gets one message per event, e-mail one digest per run. Repeating the fan-out (a retry after a
 * crash) finds the planned deliveries and enqueues only what is not finished.
 */
@Injectable()
export class FanOutRunUseCase {
  private readonly logger = new Logger(FanOutRunUseCase.name);

  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(DispatchQueues) private readonly queues: DispatchQueues,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  async execute(runId: string, outcome: RunOutcome): Promise<number> {
    const hooks = await listWebhooks(this.store.prisma, { enabled: true });
    const run = hooks.length ? await getRun(this.store.prisma, runId) : null;
    if (!run) return 0;
    let planned = 0;
    const plan = async (plans: DeliveryPlan[]) => {
      planned += await this.enqueue(await planDeliveries(this.store.prisma, plans));
    };

    if (outcome === 'failed') {
      await plan(
        hooks.filter((h) => h.events.includes('run.failed')).map((h) => one(h, runId, 'run.failed')),
      );
      return planned;
    }
    const counts = await this.store.store.sql((conn) => countFindingsByStatus(conn, runId));
    const changed = (status: DbFindingStatus) => counts[status] > 0;
    const subscribed = (h: WebhookInfo, event: WebhookEvent) => h.events.includes(event);

    await plan(
      hooks.flatMap((h) => {
        if (h.format === 'email') {
          // One digest per run: for run.completed, or for a subscribed change that happened.
          const due =
            subscribed(h, 'run.completed') ||
            CHANGES.some((c) => subscribed(h, c.event) && changed(c.status));
          return due ? [one(h, runId, 'run.completed')] : [];
        }
        return [
          ...(subscribed(h, 'run.completed') ? [one(h, runId, 'run.completed')] : []),
          ...(h.format === 'slack'
            ? CHANGES.filter((c) => subscribed(h, c.event) && changed(c.status)).map((c) =>
                one(h, runId, c.event, c.status),
              )
            : []),
        ];
      }),
    );

    for (const { event, status } of CHANGES) {
      const json = hooks.filter((h) => h.format === 'json' && subscribed(h, event));
      const total = counts[status];
      if (json.length === 0 || total === 0) continue;
      const parts = Math.ceil(total / this.config.batch);
      let afterKey: string | null = null;
      for (let part = 0; part < parts; part++) {
        const size = Math.min(this.config.batch, total - part * this.config.batch);
        await plan(
          json.map((h) => ({
            webhookId: h.id,
            runId,
            event,
            part,
            parts,
            findingStatus: status,
            afterKey,
            size,
          })),
        );
        if (part + 1 < parts)
          afterKey = await this.store.store.sql((conn) =>
            nthFindingKeyAfter(conn, runId, status, afterKey, size),
          );
      }
    }
    this.logger.log(
      `run ${run.number}: ${planned} webhook deliveries (${counts.new} new, ${counts.resolved} resolved)`,
    );
    return planned;
  }

  /** Jobs for the deliveries not finished yet; the delivery id is the job id, so a job still queued is kept. */
  private async enqueue(rows: WebhookDeliveryRecord[]): Promise<number> {
    const open = rows.filter((r) => r.status === 'queued' || r.status === 'retrying');
    if (open.length === 0) return 0;
    await this.queues.webhooks.addBulk(
      open.map((r) => ({
        name: JOBS.webhookDelivery,
        data: { deliveryId: r.id },
        opts: { ...jobOptions(this.config.retry), jobId: r.id },
      })),
    );
    return open.length;
  }
}

function one(
  h: WebhookInfo,
  runId: string,
  event: WebhookEvent,
  findingStatus?: DbFindingStatus,
): DeliveryPlan {
  return { webhookId: h.id, runId, event, part: 0, parts: 1, ...(findingStatus ? { findingStatus } : {}) };
}
