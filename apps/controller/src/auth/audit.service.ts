import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { appendAudit, type AuditOutcome } from '@fleetqry/store';
import type { Request } from 'express';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { authDenials } from '../observability/metrics.js';
import { StoreService } from '../store/store.service.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { DenialAggregator, type DenialSummary } from './denial-aggregator.js';
import { actorOf, clientIp, type AuthedRequest } from './principal.js';

export interface AuditEvent {
  action: string;
  target?: string;
  outcome: AuditOutcome;
  /** Ids, names, roles, reasons; never request bodies (they may carry secrets). */
  details?: Record<string, string | number | boolean | null>;
  /** Overrides the principal-derived actor (e.g. a worker, or an unknown token's prefix). */
  actor?: string;
}

/** Callers that did not authenticate: their denials feed the rate limit and are aggregated. */
const UNAUTHENTICATED = /^(anonymous|unknown-token|worker$)/;
const FLUSH_MS = 10_000;

/**
 * Appends to the audit log: who (token), what (action, target), when (now), from where (client address).
 * Every denial is counted in `fleetqry_auth_denials_total`; denials of callers that did not authenticate
 * also count toward their address's failed-authentication limit and are aggregated (the first of a window
 * written, the rest summed up in one row), so unauthenticated requests cannot flood the log.
 */
@Injectable()
export class AuditService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('audit');
  readonly limiter: AuthFailureLimiter;
  private readonly denials = new DenialAggregator();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly stores: StoreService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limiter = new AuthFailureLimiter(config.authFailuresPerMinute);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(true);
  }

  async record(req: Request, event: AuditEvent): Promise<void> {
    const actor = event.actor ?? actorOf((req as AuthedRequest).principal);
    const ip = clientIp(req);
    if (event.outcome === 'denied') {
      authDenials.inc({ status: String(event.details?.['status'] ?? 'unknown') });
      if (UNAUTHENTICATED.test(actor)) {
        if (ip && event.details?.['status'] !== 429) this.limiter.recordFailure(ip);
        if (!this.denials.admit(ip, actor, event.action)) return;
      }
    }
    await this.write({
      actor,
      action: event.action,
      ...(event.target ? { target: event.target } : {}),
      outcome: event.outcome,
      ...(ip ? { ip } : {}),
      ...(event.details ? { details: event.details } : {}),
    });
  }

  /** Writes the summaries of aggregation windows that ended (all of them at shutdown). */
  async flush(all = false): Promise<void> {
    for (const s of this.denials.drain(Date.now(), all)) await this.write(summaryEntry(s));
  }

  private async write(entry: Parameters<typeof appendAudit>[1]): Promise<void> {
    try {
      await appendAudit(this.stores.prisma, entry);
    } catch (error) {
      // The request's outcome stands; a lost audit row is logged loudly (and alerts can watch for it).
      this.logger.error({ err: error, audit: entry }, 'could not write the audit log');
    }
  }
}

function summaryEntry(s: DenialSummary): Parameters<typeof appendAudit>[1] {
  return {
    actor: s.actor,
    action: 'denied requests (aggregated)',
    outcome: 'denied',
    ...(s.ip ? { ip: s.ip } : {}),
    details: {
      count: s.count,
      firstAt: s.firstAt.toISOString(),
      lastAt: s.lastAt.toISOString(),
      lastAction: s.lastAction,
    },
  };
}
