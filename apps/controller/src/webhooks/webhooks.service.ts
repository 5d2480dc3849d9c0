import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type {
  WebhookCreate,
  WebhookEvent,
  WebhookFormat,
  WebhookUpdate,
  WebhookView,
} from '@fleetqry/contracts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  updateWebhook,
  type WebhookDeliveryRecord,
  type WebhookInfo,
} from '@fleetqry/store';

import { validationError } from '../api/common/zod-validation.pipe.js';
import { StoreService } from '../store/store.service.js';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from './webhooks-config.js';

/** Webhook CRUD. Secrets are write-only: sealed on the way in, never in a response. */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  async create(input: WebhookCreate, createdBy: string): Promise<WebhookView> {
    await this.checkDestination(input);
    const row = await createWebhook(this.store.prisma, this.store.config.credentialKey, {
      ...input,
      createdBy,
    });
    return view(row);
  }

  async update(id: string, input: WebhookUpdate): Promise<WebhookView> {
    const existing = await getWebhook(this.store.prisma, id);
    if (!existing) throw new NotFoundException(`no webhook ${id}`);
    if (input.format === 'json' && !input.secret && !existing.hasSecret)
      throw validationError(
        [{ path: 'secret', message: 'json webhooks are signed: a secret is required' }],
        'body',
      );
    await this.checkDestination(input);
    const row = await updateWebhook(this.store.prisma, this.store.config.credentialKey, id, input);
    if (!row) throw new NotFoundException(`no webhook ${id}`);
    return view(row);
  }

  async list(): Promise<WebhookView[]> {
    return (await listWebhooks(this.store.prisma)).map(view);
  }

  async get(id: string): Promise<WebhookView> {
    const row = await getWebhook(this.store.prisma, id);
    if (!row) throw new NotFoundException(`no webhook ${id}`);
    return view(row);
  }

  async remove(id: string): Promise<void> {
    if (!(await deleteWebhook(this.store.prisma, id))) throw new NotFoundException(`no webhook ${id}`);
  }

  async deliveries(id: string, limit: number) {
    if (!(await getWebhook(this.store.prisma, id))) throw new NotFoundException(`no webhook ${id}`);
    return (await listDeliveries(this.store.prisma, id, limit)).map(deliveryView);
  }

  /**
   * HTTP destinations must pass FLEETQRY_WEBHOOK_ALLOW now (a clear 400 naming `url`), and again at every
   * delivery on the address then resolved. E-mail needs the SMTP transport configured.
   */
  private async checkDestination(input: { url: string; format: WebhookFormat }): Promise<void> {
    if (input.format === 'email') {
      if (!this.config.smtp)
        throw validationError(
          [{ path: 'format', message: 'email needs FLEETQRY_SMTP_URL on the controller' }],
          'body',
        );
      return;
    }
    const host = new URL(input.url).hostname.replace(/^\[|\]$/g, '');
    let addresses: string[] = [];
    if (this.config.allow.empty) {
      // No lookup: nothing could be allowed.
    } else if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
      } catch (error) {
        throw validationError(
          [{ path: 'url', message: `cannot resolve ${host}: ${(error as Error).message}` }],
          'body',
        );
      }
    }
    const refusal = this.config.allow.check(host, addresses);
    if (refusal) throw validationError([{ path: 'url', message: refusal }], 'body');
  }
}

/** An explicit allowlist of fields: a column added later does not leak by default. */
function view(row: WebhookInfo): WebhookView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    format: row.format as WebhookFormat,
    events: row.events as WebhookEvent[],
    enabled: row.enabled,
    hasSecret: row.hasSecret,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function deliveryView(d: WebhookDeliveryRecord) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    event: d.event,
    runId: d.runId,
    part: d.part,
    violations: d.size,
    status: d.status,
    attempts: d.attempts,
    responseCode: d.responseCode,
    error: d.error,
    createdAt: d.createdAt.toISOString(),
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    finishedAt: d.finishedAt?.toISOString() ?? null,
  };
}
