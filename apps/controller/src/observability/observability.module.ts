import { Global, Module } from '@nestjs/common';

import { BullBoardAuthMiddleware } from './bull-board-auth.middleware.js';
import { HealthController } from './health.controller.js';
import { LatestRunFindings } from './latest-run-findings.js';
import { MetricsController } from './metrics.controller.js';
import { QueuesService } from './queues.service.js';

/**
 * /health, /metrics (with the readers of the queue and latest-run gauges) and the queues' read side. Request
 * timing and Bull Board are plain express middleware, mounted by configureApp (app.setup.ts) so they see every
 * request, including refused ones.
 */
@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [QueuesService, LatestRunFindings, BullBoardAuthMiddleware],
  exports: [QueuesService],
})
export class ObservabilityModule {}
