import { createHash, timingSafeEqual } from 'node:crypto';

import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { bearerToken } from './auth.guard.js';
import { AuditService } from './audit.service.js';
import type { AuthedRequest } from './principal.js';
import { routeAction } from './route-action.js';

/** Constant-time: both sides are hashed to equal length first, so neither content nor length leaks by timing. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Internal routes for workers: `Authorization: Bearer $FLEETQRY_WORKER_TOKEN`. Workers hold no API token and
 * no database credentials; this shared secret is their only key. Unset → every internal call is refused.
 */
@Injectable()
export class WorkerTokenGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const token = bearerToken(req.headers.authorization);
    const expected = this.config.workerToken;
    if (token && expected && sameSecret(token, expected)) return true;
    await this.audit.record(req, {
      actor: 'worker',
      action: routeAction(req),
      ...(req.params['id'] ? { target: req.params['id'] as string } : {}),
      outcome: 'denied',
      details: {
        status: 401,
        reason: expected ? 'wrong or missing worker token' : 'FLEETQRY_WORKER_TOKEN is not set',
      },
    });
    throw new UnauthorizedException('the worker token is required');
  }
}
