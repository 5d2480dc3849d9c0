import { Module, type DynamicModule } from '@nestjs/common';

import { CancelRunUseCase } from './cancel-run.use-case.js';
import { ChunkEnqueuer } from './chunk-enqueuer.js';
import { CompleteRunUseCase } from './complete-run.use-case.js';
import { DISPATCH_CONFIG, type DispatchConfig } from './dispatch-config.js';
import { DispatchQueues } from './dispatch-queues.js';
import { DispatchWorkersHost } from './dispatch-workers.host.js';
import { FailRunUseCase } from './fail-run.use-case.js';
import { IngestResultsUseCase } from './ingest-results.use-case.js';
import { ReconcilerService } from './reconciler.service.js';
import { RetentionService } from './retention.service.js';
import { ResultsProcessor } from './results.processor.js';
import { ScanPlanner } from './scan-planner.js';
import { SchedulesService } from './schedules.service.js';
import { StartRunUseCase } from './start-run.use-case.js';

/**
 * The distributed transport's controller side: plan → enqueue chunks, ingest results, evaluate on
 * completion, schedules, reconciliation. Needs the global StoreModule and ConfigModule (APP_CONFIG).
 * AppModule passes the dispatch settings (loadDispatchConfig); tests pass their own.
 */
@Module({})
export class DispatchModule {
  static register(config: DispatchConfig): DynamicModule {
    return {
      module: DispatchModule,
      global: true,
      providers: [
        { provide: DISPATCH_CONFIG, useValue: config },
        DispatchQueues,
        ScanPlanner,
        ChunkEnqueuer,
        StartRunUseCase,
        CancelRunUseCase,
        IngestResultsUseCase,
        CompleteRunUseCase,
        FailRunUseCase,
        ResultsProcessor,
        SchedulesService,
        RetentionService,
        ReconcilerService,
        DispatchWorkersHost,
      ],
      exports: [
        DISPATCH_CONFIG,
        DispatchQueues,
        StartRunUseCase,
        CancelRunUseCase,
        ReconcilerService,
        SchedulesService,
      ],
    };
  }
}
