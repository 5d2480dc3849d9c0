import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { QUEUES } from '@fleetqry/contracts';
import { Worker } from 'bullmq';
import type { Logger } from 'pino';

import { WORKER_CONFIG, type WorkerConfig } from '../config/worker-config.js';
import { LOGGER } from '../observability/logger.js';
import { ProbeChunkProcessor } from '../probe/probe-chunk.processor.js';
import { ResultsPublisher } from './results-publisher.js';

/**
 * Owns the BullMQ worker of the probe queue: started once the application is up, closed on shutdown
 * (SIGTERM via enableShutdownHooks). Closing waits for running chunks up to the grace period, then aborts
 * them; an aborted chunk fails its attempt and BullMQ hands it to another worker.
 */
@Injectable()
export class ProbeWorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(ProbeChunkProcessor) private readonly processor: ProbeChunkProcessor,
    @Inject(ResultsPublisher) private readonly results: ResultsPublisher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const c = this.config;
    this.worker = new Worker(QUEUES.probe, (job, _token, signal) => this.processor.process(job, signal), {
      connection: { ...c.redis, maxRetriesPerRequest: null },
      prefix: c.prefix,
      concurrency: c.concurrency,
      lockDuration: c.lockMs,
      // A dead worker's chunk is noticed within a lock period and moved back to waiting.
      stalledInterval: c.lockMs,
      maxStalledCount: c.retry.attempts,
    });
    this.worker.on('error', (error) => this.logger.error({ err: error.message }, 'probe worker error'));
    this.logger.info({ concurrency: c.concurrency, prefix: c.prefix }, 'probe worker started');
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.logger.info({ signal }, 'closing the probe worker');
    let timer: NodeJS.Timeout | undefined;
    try {
      const grace = new Promise<'grace'>(
        (r) => (timer = setTimeout(() => r('grace'), this.config.shutdownGraceMs)),
      );
      const closing = worker.close();
      if ((await Promise.race([closing, grace])) === 'grace') {
        this.logger.warn('grace period over: aborting running chunks (they are retried elsewhere)');
        worker.cancelAllJobs('worker shutting down');
        await closing;
      }
    } catch (error) {
      // A connection lost during shutdown must not keep the process from exiting: its jobs stall and move on.
      this.logger.error({ err: (error as Error).message }, 'error while closing the probe worker');
    } finally {
      clearTimeout(timer);
      await this.results.close().catch(() => {});
    }
    this.logger.info('probe worker closed');
  }
}
