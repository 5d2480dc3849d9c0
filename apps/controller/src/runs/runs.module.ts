import { Module } from '@nestjs/common';

import { RunsController } from './runs.controller.js';

/** POST/GET /runs, GET /runs/:id, POST /runs/:id/cancel. Needs DispatchModule (global) for its use cases. */
@Module({ controllers: [RunsController] })
export class RunsModule {}
