import { Injectable, Logger } from '@nestjs/common';
import { appendAudit, type AuditOutcome } from '@fleetqry/store';
import type { Request } from 'express';

import { StoreService } from '../store/store.service.js';
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

/** Appends to the audit log: who (token), what (action, target), when (now), from where (client address). */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');

  constructor(private readonly stores: StoreService) {}

  async record(req: Request, event: AuditEvent): Promise<void> {
    const entry = {
      actor: event.actor ?? actorOf((req as AuthedRequest).principal),
      action: event.action,
      ...(event.target ? { target: event.target } : {}),
      outcome: event.outcome,
      ...(clientIp(req) ? { ip: clientIp(req) } : {}),
      ...(event.details ? { details: event.details } : {}),
    };
    try {
      await appendAudit(this.stores.prisma, entry);
    } catch (error) {
      // The request's outcome stands; a lost audit row is logged loudly (and alerts can watch for it).
      this.logger.error({ err: error, audit: entry }, 'could not write the audit log');
    }
  }
}
