import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { type Observable, tap } from 'rxjs';

import { AuditService } from './audit.service.js';
import type { AuthedRequest } from './principal.js';
import { routeAction } from './route-action.js';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every successful change is audited here, in one place, so no new route can forget it: who (the
 * principal), what (method + route, target id), from where. Bodies are never recorded (they carry secrets);
 * refusals (401/403) are audited by the AuthGuard, which runs before this.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    if (!CHANGES.has(req.method) || !req.principal) return next.handle();
    return next.handle().pipe(
      tap({
        next: (body: unknown) => {
          const id = (body as { id?: unknown; info?: { id?: unknown } } | undefined) ?? {};
          const target =
            (req.params['id'] as string | undefined) ??
            (req.params['name'] as string | undefined) ??
            (typeof id.id === 'string' ? id.id : typeof id.info?.id === 'string' ? id.info.id : undefined);
          void this.audit.record(req, {
            action: routeAction(req),
            ...(target ? { target } : {}),
            outcome: 'allowed',
          });
        },
      }),
    );
  }
}
