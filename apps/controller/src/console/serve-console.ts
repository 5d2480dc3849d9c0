import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** apps/web/dist of this checkout, from apps/controller/{src,dist}/console/. */
const DEFAULT_WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Paths that are the console's: `/` and everything under `/ui/` (client-side routes). */
function isConsolePath(path: string): boolean {
  return path === '/' || path === '/ui' || path.startsWith('/ui/');
}

/**
 * Serves the built console: hashed assets under /assets (cached for a year), and index.html for `/` and
 * every `/ui/…` route (the SPA fallback). The API keeps every other path, so no API route, /docs, /metrics
 * or Bull Board can be shadowed. Without a build the console paths answer 404 and say how to build it.
 * The CSP and the other security headers are the app's (http/security-headers.ts, `script-src 'self'`):
 * Vite emits no inline script or style, so the console needs no relaxation.
 */
export function serveConsole(app: NestExpressApplication, webDir = DEFAULT_WEB_DIR): boolean {
  const indexFile = join(webDir, 'index.html');
  const built = existsSync(indexFile);
  if (built) {
    app.useStaticAssets(join(webDir, 'assets'), {
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
      fallthrough: false,
    });
  }
  const index = built ? readFileSync(indexFile) : undefined;
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isConsolePath(req.path)) return next();
    if (!index) {
      res.status(404).type('text/plain').send('The web console is not built: run npm run build.\n');
      return;
    }
    res
      .status(200)
      .set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' })
      .send(index);
  });
  return built;
}
