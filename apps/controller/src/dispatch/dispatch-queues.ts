import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  JOBS,
  jobOptions,
  QUEUES,
  runEventJobId,
  type ProbeChunkJob,
  type RunEventJob,
  type RunOutcome,
  type ScheduledRunJob,
  type SignedJob,
  type WebhookDeliveryJob,
  withTimeout,
} from '@fleetqry/contracts';
import { Queue } from 'bullmq';

import { DISPATCH_CONFIG, type DispatchConfig } from './dispatch-config.js';

/** Redis did not answer in time: start-run requests map it to 503. */
export class QueueUnavailableError extends Error {
  constructor(message = 'the job queue (Redis) is unavailable') {
    super(message);
    this.name = 'QueueUnavailableError';
  }
}

/** Races a Redis call against a deadline: a producer must never hang a request while Redis is down. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return withTimeout(work, ms, () => new QueueUnavailableError());
}

/**
 * The controller's producers. No offline queue and a short connect timeout (BullMQ's production advice):
 * while Redis is down, adds fail at once instead of piling up in memory, and the caller answers 503 or
 * leaves the chunk to the reconciler (Postgres knows what is still to do).
 */
@Injectable()
export class DispatchQueues implements OnApplicationShutdown {
  private readonly logger = new Logger(DispatchQueues.name);
  readonly probe: Queue<SignedJob<ProbeChunkJob>>;
  readonly schedules: Queue<ScheduledRunJob>;
  readonly results: Queue;
  /** Run outcomes to fan out to webhooks, and the deliveries they become (the webhooks module consumes it). */
  readonly webhooks: Queue<RunEventJob | WebhookDeliveryJob>;

  constructor(@Inject(DISPATCH_CONFIG) private readonly config: DispatchConfig) {
    const opts = {
      connection: {
        ...config.redis,
        enableOfflineQueue: false,
        connectTimeout: 2_000,
        maxRetriesPerRequest: 1,
        retryStrategy: (times: number) => Math.min(times * 200, 2_000),
      },
      prefix: config.prefix,
    };
    this.probe = new Queue<SignedJob<ProbeChunkJob>>(QUEUES.probe, opts);
    this.schedules = new Queue<ScheduledRunJob>(QUEUES.schedules, opts);
    this.results = new Queue(QUEUES.results, opts);
    this.webhooks = new Queue<RunEventJob | WebhookDeliveryJob>(QUEUES.webhooks, opts);
    for (const q of [this.probe, this.schedules, this.results, this.webhooks]) q.on('error', () => {});
  }

  /** Throws QueueUnavailableError unless Redis answers within the configured deadline. */
  async assertAvailable(): Promise<void> {
    // Any round trip will do; without an offline queue it fails at once while disconnected.
    try {
      await withDeadline(this.probe.count(), this.config.redisTimeoutMs);
    } catch (error) {
      throw error instanceof QueueUnavailableError
        ? error
        : new QueueUnavailableError(`the job queue (Redis) is unavailable: ${(error as Error).message}`);
    }
  }

  /**
   * A finished run, for its webhooks (once per run and outcome: the job id deduplicates). The run is already
   * finished in Postgres, so a Redis outage here costs the alerts of this run (logged), never the run.
   */
  async publishRunEvent(runId: string, outcome: RunOutcome): Promise<void> {
    try {
      await withDeadline(
        this.webhooks.add(
          JOBS.runEvent,
          { runId, outcome },
          { ...jobOptions(this.config.retry), jobId: runEventJobId(runId, outcome) },
        ),
        this.config.redisTimeoutMs,
      );
    } catch (error) {
      this.logger.warn(`run ${runId}: webhooks not notified: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([
      this.probe.close(),
      this.schedules.close(),
      this.results.close(),
      this.webhooks.close(),
    ]);
  }
}
