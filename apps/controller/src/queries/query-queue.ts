import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  JOBS,
  QUEUES,
  QueryJobResultSchema,
  type QueryJob,
  type QueryJobResult,
  type SignedJob,
} from '@fleetqry/contracts';
import { signJob } from '@fleetqry/sweep/jobs';
import { Queue, QueueEvents } from 'bullmq';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DISPATCH_CONFIG, type DispatchConfig } from '../dispatch/dispatch-config.js';
import { QueueUnavailableError, withDeadline } from '../dispatch/dispatch-queues.js';

/** No worker took or finished the query in time. */
export class QueryTimeoutError extends Error {
  constructor(ms: number) {
    super(`no worker answered the query within ${Math.round(ms / 1000)} s (are workers running?)`);
    this.name = 'QueryTimeoutError';
  }
}

/** The worker could not run the query (its message says why). */
export class QueryFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryFailedError';
  }
}

/**
 * The one-shot query queue: the controller adds a job and waits for its return value through QueueEvents.
 * One attempt (a query is interactive: the user retries), kept briefly, never retried into a stale answer.
 */
@Injectable()
export class QueryQueue implements OnApplicationShutdown {
  private readonly queue: Queue<SignedJob<QueryJob>>;
  private events?: QueueEvents;

  constructor(
    @Inject(DISPATCH_CONFIG) private readonly config: DispatchConfig,
    @Inject(APP_CONFIG) private readonly app: AppConfig,
  ) {
    this.queue = new Queue<SignedJob<QueryJob>>(QUEUES.queries, {
      connection: {
        ...config.redis,
        enableOfflineQueue: false,
        connectTimeout: 2_000,
        maxRetriesPerRequest: 1,
      },
      prefix: config.prefix,
    });
    this.queue.on('error', () => {});
  }

  /** Listening for completions needs a blocking connection of its own; opened on the first query. */
  private async queueEvents(): Promise<QueueEvents> {
    if (!this.events) {
      this.events = new QueueEvents(QUEUES.queries, {
        connection: { ...this.config.redis, maxRetriesPerRequest: null },
        prefix: this.config.prefix,
      });
      this.events.on('error', () => {});
    }
    await this.events.waitUntilReady();
    return this.events;
  }

  async run(job: QueryJob, timeoutMs: number): Promise<QueryJobResult> {
    const events = await withDeadline(this.queueEvents(), this.config.redisTimeoutMs);
    const added = await withDeadline(
      // Signed like probe chunks: workers run no query the controller did not sign.
      this.queue.add(JOBS.portqryQuery, signJob(JOBS.portqryQuery, job, this.app.jobKeys), {
        jobId: job.queryId,
        attempts: 1,
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 3600, count: 1000 },
      }),
      this.config.redisTimeoutMs,
    );
    let result: unknown;
    try {
      result = await added.waitUntilFinished(events, timeoutMs);
    } catch (error) {
      const message = (error as Error).message;
      if (/timed out/i.test(message)) {
        // Nobody took it: withdraw it so a worker started later does not probe for a user who left.
        await added.remove().catch(() => {});
        throw new QueryTimeoutError(timeoutMs);
      }
      if (error instanceof QueueUnavailableError) throw error;
      throw new QueryFailedError(message);
    }
    return QueryJobResultSchema.parse(result);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.queue.close(), this.events?.close()]);
  }
}
