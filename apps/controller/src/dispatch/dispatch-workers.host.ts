import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { QUEUES } from '@fleetqry/contracts';
import { Worker } from 'bullmq';

import { DISPATCH_CONFIG, type DispatchConfig } from './dispatch-config.js';
import { ReconcilerService } from './reconciler.service.js';
import { ResultsProcessor } from './results.processor.js';
import { SchedulesService } from './schedules.service.js';

/**
 * The controller's queue consumers and timers: the results worker (ingest), the schedules worker (one run
 * per fire), the schedule sync at start and the periodic reconciler. Started after bootstrap, closed on
 * shutdown (running ingests finish first).
 */
@Injectable()
export class DispatchWorkersHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DispatchWorkersHost.name);
  private workers: Worker[] = [];
  private timer?: NodeJS.Timeout;
  private reconciling?: Promise<void>;

  constructor(
    @Inject(DISPATCH_CONFIG) private readonly config: DispatchConfig,
    @Inject(ResultsProcessor) private readonly results: ResultsProcessor,
    @Inject(SchedulesService) private readonly schedules: SchedulesService,
    @Inject(ReconcilerService) private readonly reconciler: ReconcilerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.processQueues) return;
    const connection = { ...this.config.redis, maxRetriesPerRequest: null };
    const common = { connection, prefix: this.config.prefix };
    this.workers = [
      new Worker(QUEUES.results, (job) => this.results.process(job), {
        ...common,
        concurrency: this.config.ingestConcurrency,
      }),
      new Worker(QUEUES.schedules, (job) => this.schedules.fire(job), { ...common, concurrency: 1 }),
    ];
    for (const w of this.workers) {
      w.on('error', (e) => this.logger.error(`${w.name} worker: ${e.message}`));
      w.on('failed', (job, e) => this.logger.warn(`${w.name} job ${job?.id} failed: ${e.message}`));
    }
    try {
      const { upserted, removed } = await this.schedules.sync();
      this.logger.log(`schedules: ${upserted} upserted, ${removed} removed`);
    } catch (error) {
      // Redis down at start: the reconciler syncs once it is back.
      this.logger.warn(`schedule sync deferred: ${(error as Error).message}`);
    }
    this.timer = setInterval(() => {
      this.reconciling ??= this.reconciler
        .tick()
        .catch((e: Error) => this.logger.warn(`reconcile: ${e.message}`))
        .finally(() => (this.reconciling = undefined));
    }, this.config.reconcileMs);
  }

  /**
   * Stops first (module destroy comes before application shutdown, when the store closes): the last
   * reconcile tick and the ingest jobs in flight still have their database.
   */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.reconciling;
    await Promise.allSettled(this.workers.map((w) => w.close()));
  }
}
