import type { NextFunction, Request, Response } from 'express';

import { httpRequestDuration } from './metrics.js';

/**
 * Times every request, including those the auth guard refuses (an interceptor would miss them). The route
 * label is the pattern (`/inventories/:id`), never the raw path, so label cardinality stays bounded.
 */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = httpRequestDuration.startTimer();
  res.on('finish', () => {
    const pattern = (req.route as { path?: string } | undefined)?.path;
    const route = pattern ? `${req.baseUrl}${pattern}` : 'unmatched';
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}
