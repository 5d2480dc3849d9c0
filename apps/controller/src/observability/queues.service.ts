import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { QUEUES } from '@fleetqry/contracts';
import { Queue } from 'bullmq';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { queueDepth, setQueueDepthCollector } from './metrics.js';

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
 * and the queue-depth gauge. Producers/consumers live in the dispatch module; these never add jobs.
 */
@Injectable()
export class QueuesService implements OnModuleDestroy {
  readonly queues: Queue[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const url = new URL(config.redisUrl);
    const connection = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : 6379,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      // Fail fast while Redis is down (a scrape must not hang); reconnect in the background.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    };
    this.queues = Object.values(QUEUES).map((name) => {
      const q = new Queue(name, { connection, prefix: config.queuePrefix });
      q.on('error', () => {}); // reconnects are logged by health, not per queue
      return q;
    });
    setQueueDepthCollector(() => this.collectDepth());
  }

  private async collectDepth(): Promise<void> {
    await Promise.all(
      this.queues.map(async (q) => {
        try {
          const counts = await withTimeout(q.getJobCounts(...STATES), 1000);
          for (const state of STATES) queueDepth.set({ queue: q.name, state }, counts[state] ?? 0);
        } catch {
          // Redis down: leave the last values; /health reports the outage.
        }
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    setQueueDepthCollector(undefined);
    await Promise.all(this.queues.map((q) => q.close().catch(() => {})));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
