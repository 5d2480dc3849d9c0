import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { StoreService } from '../store/store.service.js';
import { requestIdOf } from '../observability/request-id.js';
import { AuditService } from './audit.service.js';
import { authenticate, unauthenticatedActor } from './auth.guard.js';
import { clientIp, type AuthedRequest } from './principal.js';

/** Refusals that never reach Nest's filters, in the API's one error shape. */
function refuse(req: Request, res: Response, status: 401 | 429, message: string): void {
  const id = requestIdOf(req);
  res.status(status).json({
    statusCode: status,
    error: status === 401 ? 'Unauthorized' : 'Too Many Requests',
    message,
    ...(id !== undefined ? { requestId: id } : {}),
  });
}

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Runs before the body parsers. An address past its failed-authentication limit is answered 429 with
 * Retry-After (health probes excepted). A request carrying a body (up to 20 MB of inventory) must bring a
 * valid API token first: without one it is refused, audited and counted, before a byte of the body is
 * parsed; with one, the principal rides on the request and the guards do not look it up again.
 */
@Injectable()
export class EarlyAuthMiddleware implements NestMiddleware {
  constructor(
    private readonly stores: StoreService,
    private readonly audit: AuditService,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const action = `${req.method} ${req.path}`;
      const ip = clientIp(req);
      const wait =
        ip && !req.path.startsWith('/health') ? this.audit.limiter.retryAfterSeconds(ip) : undefined;
      if (wait !== undefined) {
        await this.audit.record(req, {
          action,
          outcome: 'denied',
          actor: unauthenticatedActor(req),
          details: { status: 429, reason: 'too many failed authentications from this address' },
        });
        res.setHeader('Retry-After', String(wait));
        return refuse(req, res, 429, `too many failed authentications; retry in ${wait} s`);
      }
      if (hasBody(req)) {
        const principal = await authenticate(this.stores.prisma, req);
        if (!principal) {
          await this.audit.record(req, {
            action,
            outcome: 'denied',
            actor: unauthenticatedActor(req),
            details: { status: 401, reason: 'no valid API token with a request body' },
          });
          // The unread body is not wanted: close the connection rather than drain it.
          res.setHeader('Connection', 'close');
          return refuse(req, res, 401, 'a valid API token is required (Authorization: Bearer <token>)');
        }
        (req as AuthedRequest).principal = principal;
      }
      next();
    } catch (error) {
      next(error);
    }
  }
}
