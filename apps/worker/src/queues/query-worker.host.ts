import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { QUEUES } from '@fleetqry/contracts';
import { Worker } from 'bullmq';
import type { Logger } from 'pino';

import { WORKER_CONFIG, type WorkerConfig } from '../config/worker-config.js';
import { LOGGER } from '../observability/logger.js';
import { PortqryQueryProcessor } from '../query/portqry-query.processor.js';

/** Interactive queries run beside chunks, a few at a time, so a long sweep never blocks the console. */
const QUERY_CONCURRENCY = 2;

/** Owns the BullMQ worker of the one-shot query queue; closed on shutdown (running queries are aborted). */
@Injectable()
export class QueryWorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(PortqryQueryProcessor) private readonly processor: PortqryQueryProcessor,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const c = this.config;
    this.worker = new Worker(QUEUES.queries, (job, _token, signal) => this.processor.process(job, signal), {
      connection: { ...c.redis, maxRetriesPerRequest: null },
      prefix: c.prefix,
      concurrency: QUERY_CONCURRENCY,
      lockDuration: c.lockMs,
      maxStalledCount: 0,
    });
    this.worker.on('error', (error) => this.logger.error({ err: error.message }, 'query worker error'));
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    worker.cancelAllJobs('worker shutting down');
    await worker
      .close()
      .catch((error: Error) => this.logger.error({ err: error.message }, 'closing the query worker'));
  }
}
