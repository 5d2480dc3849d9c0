import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { QUEUES, withTimeout } from '@fleetqry/contracts';
import { Queue } from 'bullmq';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { queueDepth, queueWorkers } from './metrics.js';

const STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'prioritized',
  'waiting-children',
] as const;

/**
 * Read-side handles on the pipeline's queues (names from libs/contracts, prefix from the env), for Bull Board
 * and the queue gauges (depth by state, connected workers). Producers/consumers live in the dispatch module;
 * these never add jobs.
 */
@Injectable()
export class QueuesService implements OnModuleDestroy {
  readonly queues: Queue[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const connection = {
      ...config.redis,
      // Fail fast while Redis is down (a scrape must not hang); reconnect in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    };
    this.queues = Object.values(QUEUES).map((name) => {
      const q = new Queue(name, { connection, prefix: config.queuePrefix });
      q.on('error', () => {}); // reconnects are logged by health, not per queue
      return q;
    });
    queueDepth.readWith(() =>
      this.each(async (q) => {
        const counts = await withTimeout(q.getJobCounts(...STATES), 1000);
        for (const state of STATES) queueDepth.gauge.set({ queue: q.name, state }, counts[state] ?? 0);
      }),
    );
    // BullMQ names its workers' Redis connections after their queue; the count is read from CLIENT LIST.
    queueWorkers.readWith(() =>
      this.each(async (q) =>
        queueWorkers.gauge.set({ queue: q.name }, await withTimeout(q.getWorkersCount(), 1000)),
      ),
    );
  }

  private async each(read: (q: Queue) => Promise<void>): Promise<void> {
    // Redis down: each queue keeps its last values; /health reports the outage.
    await Promise.all(this.queues.map((q) => read(q).catch(() => {})));
  }

  async onModuleDestroy(): Promise<void> {
    queueDepth.readWith(undefined);
    queueWorkers.readWith(undefined);
    await Promise.all(this.queues.map((q) => q.close().catch(() => {})));
  }
}
