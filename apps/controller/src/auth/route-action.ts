import type { Request } from 'express';

/** How the audit log names what a request did: the method and the route's pattern (not its ids). */
export function routeAction(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  return `${req.method} ${typeof route?.path === 'string' ? route.path : req.path}`;
}
