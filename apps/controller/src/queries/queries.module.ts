import { Module } from '@nestjs/common';

import { QueriesController } from './queries.controller.js';
import { QueriesService } from './queries.service.js';
import { QueryQueue } from './query-queue.js';

/** POST /queries: one-shot PortQry queries through the workers. Needs DispatchModule (global). */
@Module({ controllers: [QueriesController], providers: [QueriesService, QueryQueue] })
export class QueriesModule {}
