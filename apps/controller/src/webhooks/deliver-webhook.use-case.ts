import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WEBHOOK_HEADERS, type WebhookEvent } from '@fleetqry/contracts';
import {
  countFindingsByStatus,
  findingsPageByStatus,
  getDelivery,
  getRun,
  getScanDefinition,
  getWebhook,
  queryFindings,
  readWebhookSecret,
  recordDeliveryAttempt,
  type DbFindingStatus,
  type WebhookDeliveryRecord,
  type WebhookInfo,
} from '@fleetqry/store';

import { StoreService } from '../store/store.service.js';
import { postWebhook, type SendResult } from './http-sender.js';
import { MailSender } from './mail-sender.js';
import { emailDigest, jsonBody, slackMessage, toViolation, type RunSummary } from './message-formats.js';
import { signatureHeader } from './signature.js';
import { webhookAttempts, webhookDeliveriesFailed } from './webhook-metrics.js';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from './webhooks-config.js';

/** The queue's view of the attempt in progress. */
export interface AttemptInfo {
  /** 1 for the first attempt. */
  number: number;
  max: number;
}

export type DeliveryOutcome = 'succeeded' | 'retry' | 'failed' | 'gone';

/**
 * One attempt of one delivery: the message is rebuilt from the store (the delivery names its findings by a
 * key range), sent, and the outcome recorded. A 2xx (or an SMTP acceptance) ends it; anything else is
 * `retry` until the last attempt, which records `failed` and counts it in the metrics. A refused
 * destination fails at once: waiting does not change the allowlist.
 */
@Injectable()
export class DeliverWebhookUseCase implements OnModuleDestroy {
  private readonly logger = new Logger(DeliverWebhookUseCase.name);
  private readonly mail: MailSender;

  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {
    this.mail = new MailSender(config.smtp, config.timeoutMs);
  }

  async execute(deliveryId: string, attempt: AttemptInfo): Promise<DeliveryOutcome> {
    const prisma = this.store.prisma;
    const delivery = await getDelivery(prisma, deliveryId);
    if (!delivery || delivery.status === 'succeeded' || delivery.status === 'failed') return 'gone';
    const hook = await getWebhook(prisma, delivery.webhookId);
    if (!hook) return 'gone';
    const result = hook.enabled
      ? await this.send(hook, delivery)
      : { ok: false, status: null, error: 'the webhook is disabled', refused: true };
    const last = result.refused === true || attempt.number >= attempt.max;
    const status = result.ok ? 'succeeded' : last ? 'failed' : 'retrying';
    await recordDeliveryAttempt(prisma, deliveryId, {
      status,
      attempts: attempt.number,
      responseCode: result.status,
      error: result.error,
    });
    webhookAttempts.inc({ format: hook.format, outcome: status === 'retrying' ? 'retried' : status });
    if (status === 'failed') {
      webhookDeliveriesFailed.inc({ format: hook.format });
      this.logger.warn(
        `webhook ${hook.name}: delivery ${deliveryId} failed after ${attempt.number} attempt(s): ${result.error}`,
      );
    }
    return status === 'retrying' ? 'retry' : status;
  }

  private async send(hook: WebhookInfo, d: WebhookDeliveryRecord): Promise<SendResult> {
    const run = d.runId ? await this.runSummary(d.runId) : null;
    if (!run) return { ok: false, status: null, error: 'the run is no longer stored', refused: true };
    const event = d.event as WebhookEvent;
    // The console's run report (apps/web; its pages live under /ui/).
    const link = `${this.config.consoleUrl}/ui/report?run=${run.id}`;
    if (hook.format === 'email') {
      const counts = await this.counts(run.id);
      const top = (status: DbFindingStatus) =>
        counts[status] ? this.top(run.id, status) : Promise.resolve([]);
      const message = emailDigest({
        run,
        counts,
        topNew: await top('new'),
        topResolved: await top('resolved'),
        link,
      });
      return this.mail.send(hook.url.replace(/^mailto:/i, '').split(','), message);
    }
    let body: string;
    if (hook.format === 'slack') {
      const counts = await this.counts(run.id);
      const status = d.findingStatus as DbFindingStatus | null;
      body = JSON.stringify(
        slackMessage({
          event,
          run,
          counts,
          top: status ? await this.top(run.id, status) : [],
          total: status ? counts[status] : 0,
          link,
        }),
      );
    } else {
      const findings =
        d.findingStatus && d.size > 0
          ? await this.store.store.sql((conn) =>
              findingsPageByStatus(conn, run.id, d.findingStatus as DbFindingStatus, d.afterKey, d.size),
            )
          : [];
      body = jsonBody({
        event,
        deliveryId: d.id,
        run,
        part: d.part,
        parts: d.parts,
        violations: findings.map(toViolation),
      });
    }
    const secret = hook.hasSecret
      ? await readWebhookSecret(this.store.prisma, this.store.config.credentialKey, hook.id)
      : null;
    return postWebhook(
      hook.url,
      body,
      {
        'content-type': 'application/json',
        [WEBHOOK_HEADERS.event]: event,
        [WEBHOOK_HEADERS.delivery]: d.id,
        ...(secret ? { [WEBHOOK_HEADERS.signature]: signatureHeader(secret, body) } : {}),
      },
      { allow: this.config.allow, timeoutMs: this.config.timeoutMs },
    );
  }

  private async runSummary(runId: string): Promise<RunSummary | null> {
    const run = await getRun(this.store.prisma, runId);
    if (!run) return null;
    const scan = run.scanDefinitionId
      ? await getScanDefinition(this.store.prisma, run.scanDefinitionId)
      : null;
    return {
      id: run.id,
      number: run.number,
      scan: scan?.name ?? null,
      status: run.status,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      error: run.error,
    };
  }

  private counts(runId: string) {
    return this.store.store.sql((conn) => countFindingsByStatus(conn, runId));
  }

  /** The most severe findings of one status (the report's order). */
  private async top(runId: string, status: DbFindingStatus) {
    const page = await this.store.store.sql((conn) =>
      queryFindings(conn, { runId, status: [status] }, { limit: this.config.top }),
    );
    return page.items;
  }

  onModuleDestroy(): void {
    this.mail.close();
  }
}
