import { Injectable, type NestMiddleware } from '@nestjs/common';
import { verifyApiToken } from '@fleetqry/store';
import type { NextFunction, Request, Response } from 'express';

import { AuditService } from '../auth/audit.service.js';
import { bearerToken, roleAtLeast } from '../auth/auth.guard.js';
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
      const token = bearerToken(req.headers.authorization);
      const info = token ? await verifyApiToken(this.stores.prisma, token) : null;
      const action = `${req.method} /admin/queues`;
      if (!info) {
        await this.audit.record(req, {
          action,
          outcome: 'denied',
          actor: token ? `unknown-token (${token.slice(0, 11)}…)` : 'anonymous',
          details: { status: 401 },
        });
        res
          .status(401)
          .json({ statusCode: 401, error: 'Unauthorized', message: 'a valid API token is required' });
        return;
      }
      (req as AuthedRequest).principal = {
        tokenId: info.id,
        name: info.name,
        role: info.role,
        prefix: info.prefix,
      };
      if (!roleAtLeast(info.role, 'admin')) {
        await this.audit.record(req, {
          action,
          outcome: 'denied',
          details: { status: 403, role: info.role, required: 'admin' },
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
