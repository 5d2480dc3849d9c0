import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';

import { WORKER_CONFIG, type WorkerConfig } from './config/worker-config.js';
import { CredentialClient } from './credentials/credential-client.js';
import { HealthServer } from './observability/health-server.js';
import { LOGGER } from './observability/logger.js';
import { WorkerMetrics } from './observability/worker-metrics.js';
import { ProbeChunkProcessor } from './probe/probe-chunk.processor.js';
import { ProbeChunkUseCase } from './probe/probe-chunk.use-case.js';
import { ProbeWorkerHost } from './queues/probe-worker.host.js';
import { QueryWorkerHost } from './queues/query-worker.host.js';
import { ResultsPublisher } from './queues/results-publisher.js';
import { PortqryQueryProcessor } from './query/portqry-query.processor.js';
import { PortqryQueryUseCase } from './query/portqry-query.use-case.js';

/** The worker: an application context (no API) with the probe-chunk and query processors, health and metrics. */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        WorkerMetrics,
        {
          provide: CredentialClient,
          useFactory: () => new CredentialClient(config.controllerUrl, config.workerToken, config.workerId),
        },
        { provide: ResultsPublisher, useFactory: () => new ResultsPublisher(config) },
        {
          provide: ProbeChunkUseCase,
          inject: [CredentialClient, ResultsPublisher, WorkerMetrics],
          useFactory: (credentials: CredentialClient, results: ResultsPublisher, metrics: WorkerMetrics) =>
            new ProbeChunkUseCase(
              credentials,
              results,
              {
                probeConcurrency: config.probeConcurrency,
                rate: config.rate,
                probeDeadlineMs: config.probeDeadlineMs,
                scope: config.scope,
                threads: config.threads,
                resultBatch: config.resultBatch,
                resultFlushMs: config.resultFlushMs,
              },
              metrics,
            ),
        },
        {
          provide: ProbeChunkProcessor,
          inject: [ProbeChunkUseCase, WorkerMetrics],
          useFactory: (useCase: ProbeChunkUseCase, metrics: WorkerMetrics) =>
            new ProbeChunkProcessor(useCase, metrics, logger, config.chunkDeadlineMs, config.jobKeys),
        },
        ProbeWorkerHost,
        {
          provide: PortqryQueryProcessor,
          inject: [WorkerMetrics],
          useFactory: (metrics: WorkerMetrics) =>
            new PortqryQueryProcessor(
              new PortqryQueryUseCase({
                probeConcurrency: config.probeConcurrency,
                rate: config.rate,
                probeDeadlineMs: config.probeDeadlineMs,
                scope: config.scope,
              }),
              metrics,
              logger,
              config.chunkDeadlineMs,
              config.jobKeys,
            ),
        },
        QueryWorkerHost,
        HealthServer,
      ],
    };
  }
}
