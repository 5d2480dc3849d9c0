import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { JOBS, QUEUES, RunEventJobSchema, WebhookDeliveryJobSchema } from '@fleetqry/contracts';
import { UnrecoverableError, Worker, type Job } from 'bullmq';

import { DISPATCH_CONFIG, type DispatchConfig } from '../dispatch/dispatch-config.js';
import { DeliverWebhookUseCase } from './deliver-webhook.use-case.js';
import { FanOutRunUseCase } from './fan-out-run.use-case.js';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from './webhooks-config.js';

/**
 * The webhooks queue's consumer, in the controller (deliveries need the store and the sealed secrets):
 * thin, it validates a job and calls its use case. A delivery attempt that should be retried throws, so
 * BullMQ's attempts and exponential backoff apply. Runs where the dispatch workers run
 * (FLEETQRY_DISPATCH_WORKERS), and stops before the store closes.
 */
@Injectable()
export class WebhookWorkersHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookWorkersHost.name);
  private worker?: Worker;

  constructor(
    @Inject(DISPATCH_CONFIG) private readonly dispatch: DispatchConfig,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(FanOutRunUseCase) private readonly fanOut: FanOutRunUseCase,
    @Inject(DeliverWebhookUseCase) private readonly deliver: DeliverWebhookUseCase,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.dispatch.processQueues) return;
    this.worker = new Worker(QUEUES.webhooks, (job) => this.process(job), {
      connection: { ...this.dispatch.redis, maxRetriesPerRequest: null },
      prefix: this.dispatch.prefix,
      concurrency: this.config.concurrency,
    });
    this.worker.on('error', (e) => this.logger.error(`webhooks worker: ${e.message}`));
  }

  async process(job: Job): Promise<unknown> {
    if (job.name === JOBS.runEvent) {
      const { runId, outcome } = parse(RunEventJobSchema, job);
      return this.fanOut.execute(runId, outcome);
    }
    if (job.name === JOBS.webhookDelivery) {
      const { deliveryId } = parse(WebhookDeliveryJobSchema, job);
      const outcome = await this.deliver.execute(deliveryId, {
        number: job.attemptsMade + 1,
        max: job.opts.attempts ?? 1,
      });
      if (outcome === 'retry')
        throw new Error(`delivery ${deliveryId}: attempt ${job.attemptsMade + 1} failed`);
      return outcome;
    }
    throw new UnrecoverableError(`job ${job.id}: unknown job name ${job.name}`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }
}

function parse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  job: Job,
): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`job ${job.id}: invalid ${job.name} data`);
  return parsed.data;
}
