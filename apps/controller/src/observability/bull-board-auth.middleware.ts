import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { AuditService } from '../auth/audit.service.js';
import { authenticate, roleAtLeast, unauthenticatedActor } from '../auth/auth.guard.js';
import type { AuthedRequest } from '../auth/principal.js';
import { StoreService } from '../store/store.service.js';

/**
 * Bull Board is an express router, outside Nest's guards, so the admin check is repeated here: the same
 * token verification, admin role, and audited refusals as the API's AuthGuard.
 */
@Injectable()
export class BullBoardAuthMiddleware implements NestMiddleware {
  constructor(
    private readonly stores: StoreService,
    private readonly audit: AuditService,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const principal = (req as AuthedRequest).principal ?? (await authenticate(this.stores.prisma, req));
      const action = `${req.method} /admin/queues`;
      if (!principal) {
        await this.audit.record(req, {
          action,
          outcome: 'denied',
          actor: unauthenticatedActor(req),
          details: { status: 401 },
        });
        res
          .status(401)
          .json({ statusCode: 401, error: 'Unauthorized', message: 'a valid API token is required' });
        return;
      }
      (req as AuthedRequest).principal = principal;
      if (!roleAtLeast(principal.role, 'admin')) {
        await this.audit.record(req, {
          action,
          outcome: 'denied',
          details: { status: 403, role: principal.role, required: 'admin' },
        });
        res
          .status(403)
          .json({ statusCode: 403, error: 'Forbidden', message: 'Bull Board needs the admin role' });
        return;
      }
      next();
    } catch (error) {
      next(error);
    }
  }
}
