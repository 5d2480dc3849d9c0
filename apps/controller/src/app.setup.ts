import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';

import { buildOpenApiDocument } from './api/common/openapi-document.js';
import { EarlyAuthMiddleware } from './auth/early-auth.middleware.js';
import type { AppConfig } from './config/env.schema.js';
import { securityHeaders } from './http/security-headers.js';
import { serveConsole } from './console/serve-console.js';
import { BullBoardAuthMiddleware } from './observability/bull-board-auth.middleware.js';
import { BULL_BOARD_PATH, bullBoardRouter } from './observability/bull-board.js';
import { httpMetrics } from './observability/http-metrics.middleware.js';
import { QueuesService } from './observability/queues.service.js';

/** Text uploads: inventory YAML/CSV files. */
const TEXT_TYPES = ['text/*', 'application/yaml', 'application/x-yaml', 'text/csv'];

/**
 * Everything about the HTTP app that is not a module: logging, parsers, docs, express-level middleware,
 * shutdown. main.ts and the tests call the same function, so tests exercise the real wiring.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  // Client addresses for the audit log: behind a proxy only if told so (X-Forwarded-For is forgeable).
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // First, so that every response is timed, also those refused before routing.
  app.use(httpMetrics);
  app.use(securityHeaders());
  // Before the body parsers: rate-limited addresses and bodies without a valid token are refused unread.
  const early = app.get(EarlyAuthMiddleware);
  app.use(early.use.bind(early));
  app.useBodyParser('json', { limit: '5mb' });
  app.useBodyParser('text', { type: TEXT_TYPES, limit: '20mb' });

  const board = app.get(BullBoardAuthMiddleware);
  app.use(BULL_BOARD_PATH, board.use.bind(board), bullBoardRouter(app.get(QueuesService).queues));

  const document = buildOpenApiDocument(app);
  // /docs (UI) and /docs-json (the document); no token needed to read the API's shape.
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  // The web console at / and /ui/… (static files of apps/web; the API keeps every other path).
  serveConsole(app, config.webDir);

  // SIGTERM/SIGINT close the HTTP server, queues, Redis and Postgres in order (onModuleDestroy hooks).
  app.enableShutdownHooks();
}
