import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

import type { Role } from './roles.decorator.js';

/** Who is calling: an API token's identity (never the token itself). */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  /** The token's first characters, as shown in token lists. */
  prefix: string;
}

export type AuthedRequest = Request & { principal?: Principal };

/** The audit log's "who": the token's name and its shown prefix, enough to find and revoke it. */
export function actorOf(principal: Principal | undefined): string {
  return principal ? `token:${principal.name} (${principal.prefix}…)` : 'anonymous';
}

/** The client address, from the socket or, with FLEETQRY_TRUST_PROXY, X-Forwarded-For (express resolves it). */
export function clientIp(req: Request): string | undefined {
  return req.ip ?? req.socket?.remoteAddress ?? undefined;
}

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<AuthedRequest>().principal,
);
