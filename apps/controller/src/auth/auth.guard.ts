import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { verifyApiToken, type Store } from '@fleetqry/store';
import type { Request } from 'express';

import { StoreService } from '../store/store.service.js';
import { AuditService } from './audit.service.js';
import type { AuthedRequest, Principal } from './principal.js';
import { PUBLIC_KEY } from './public.decorator.js';
import { ROLES, ROLES_KEY, type Role } from './roles.decorator.js';
import { routeAction } from './route-action.js';

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** `Authorization: Bearer <token>` → the token, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return match?.[1];
}

/** The request's API token as a principal, or undefined when it has none or an unknown/revoked one. */
export async function authenticate(prisma: Store['prisma'], req: Request): Promise<Principal | undefined> {
  const token = bearerToken(req.headers.authorization);
  if (!token) return undefined;
  const info = await verifyApiToken(prisma, token);
  return info ? { tokenId: info.id, name: info.name, role: info.role, prefix: info.prefix } : undefined;
}

/** The audit actor of a request that did not authenticate: never the token, only its first characters. */
export function unauthenticatedActor(req: Request): string {
  const token = bearerToken(req.headers.authorization);
  return token ? `unknown-token (${token.slice(0, 11)}…)` : 'anonymous';
}

/**
 * The global guard: every route needs a valid, unrevoked API token (401 otherwise) whose role reaches the
 * route's @Roles minimum (403 otherwise). A route without @Roles is admin-only, so a forgotten decorator
 * fails closed. Both refusals are audited with the client address.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly stores: StoreService,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const minimum = this.reflector.getAllAndOverride<Role>(ROLES_KEY, targets) ?? 'admin';
    const action = routeAction(req);
    // A request with a body was authenticated before its body was read (EarlyAuthMiddleware).
    const principal = req.principal ?? (await authenticate(this.stores.prisma, req));
    if (!principal) {
      const token = bearerToken(req.headers.authorization);
      await this.audit.record(req, {
        action,
        outcome: 'denied',
        actor: unauthenticatedActor(req),
        details: { status: 401, reason: token ? 'invalid or revoked token' : 'no bearer token' },
      });
      throw new UnauthorizedException('a valid API token is required (Authorization: Bearer <token>)');
    }
    req.principal = principal;
    if (!roleAtLeast(principal.role, minimum)) {
      await this.audit.record(req, {
        action,
        target: req.path,
        outcome: 'denied',
        details: { status: 403, role: principal.role, required: minimum },
      });
      throw new ForbiddenException(`this needs the ${minimum} role; the token has ${principal.role}`);
    }
    return true;
  }
}
