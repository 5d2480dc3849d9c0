import { QUEUES } from '@fleetqry/contracts';
import { Queue, type Job } from 'bullmq';

import type { WorkerConfig } from '../config/worker-config.js';
import type { ProbeChunkProcessor } from '../probe/probe-chunk.processor.js';
import type { PortqryQueryProcessor } from '../query/portqry-query.processor.js';
import { recordingLogger, testWorkerConfig, until } from '../testing/worker-test-env.js';
import { ProbeWorkerHost } from './probe-worker.host.js';
import { QueryWorkerHost } from './query-worker.host.js';
import { ResultsPublisher } from './results-publisher.js';

/**
 * The hosts' BullMQ workers on the machine's Redis (a queue prefix per test): jobs are real, the processor
 * stands in for probing and records what happens to each job, so shutdown order and aborts can be seen.
 */
interface Stand {
  events: string[];
  running: Set<string>;
  /** How each job ends: 'finish' after `ms`, or 'hang' until its signal aborts. */
  processor: { process(job: Job, signal?: AbortSignal): Promise<unknown> };
}

function standIn(behaviour: (job: Job) => { hang: true } | { ms: number }): Stand {
  const events: string[] = [];
  const running = new Set<string>();
  return {
    events,
    running,
    processor: {
      async process(job, signal) {
        running.add(job.name);
        events.push(`start ${job.name}`);
        try {
          await new Promise<void>((resolve, reject) => {
            const how = behaviour(job);
            if ('ms' in how) setTimeout(resolve, how.ms);
            signal?.addEventListener('abort', () => reject(new Error(`aborted: ${String(signal.reason)}`)));
          });
          events.push(`done ${job.name}`);
        } catch (e) {
          events.push(`${(e as Error).message} ${job.name}`);
          throw e;
        } finally {
          running.delete(job.name);
        }
      },
    },
  };
}

/** A results publisher that records when it is closed. */
class RecordingPublisher extends ResultsPublisher {
  constructor(
    config: WorkerConfig,
    private readonly events: string[],
  ) {
    super(config);
  }
  override async close(): Promise<void> {
    this.events.push('results closed');
    await super.close();
  }
}

async function queueOf(name: string, config: WorkerConfig) {
  const queue = new Queue(name, {
    connection: { ...config.redis, maxRetriesPerRequest: null },
    prefix: config.prefix,
  });
  return {
    add: (job: string) => queue.add(job, {}),
    async close() {
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

describe('ProbeWorkerHost', () => {
  function probeHost(env: Record<string, string>, behaviour: Parameters<typeof standIn>[0]) {
    const config = testWorkerConfig(env);
    const stand = standIn(behaviour);
    const { logger, messages } = recordingLogger();
    const results = new RecordingPublisher(config, stand.events);
    const host = new ProbeWorkerHost(
      config,
      stand.processor as unknown as ProbeChunkProcessor,
      results,
      logger,
    );
    return { config, stand, host, messages, results };
  }

  it('lets a running chunk finish within the grace period, then closes the results publisher', async () => {
    const { config, stand, host, messages } = probeHost({ FLEETQRY_SHUTDOWN_GRACE_MS: '10000' }, () => ({
      ms: 300,
    }));
    const queue = await queueOf(QUEUES.probe, config);
    try {
      host.onApplicationBootstrap();
      await queue.add('chunk-1');
      await until('the chunk to start', () => stand.running.has('chunk-1'));
      await host.onApplicationShutdown('SIGTERM');
      expect(stand.events).toEqual(['start chunk-1', 'done chunk-1', 'results closed']);
      expect(messages).not.toContain(
        'grace period over: aborting running chunks (they are retried elsewhere)',
      );
      expect(messages.at(-1)).toBe('probe worker closed');
    } finally {
      await queue.close();
    }
  });

  it('aborts chunks still running when the grace period is over, then closes the results publisher', async () => {
    const { config, stand, host, messages } = probeHost({ FLEETQRY_SHUTDOWN_GRACE_MS: '200' }, () => ({
      hang: true,
    }));
    const queue = await queueOf(QUEUES.probe, config);
    try {
      host.onApplicationBootstrap();
      await queue.add('chunk-1');
      await until('the chunk to start', () => stand.running.has('chunk-1'));
      const started = Date.now();
      await host.onApplicationShutdown('SIGTERM');
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(stand.events).toEqual([
        'start chunk-1',
        'aborted: worker shutting down chunk-1',
        'results closed',
      ]);
      expect(messages).toContain('grace period over: aborting running chunks (they are retried elsewhere)');
    } finally {
      await queue.close();
    }
  });

  it('does nothing on shutdown when it never started', async () => {
    const { stand, host, messages, results } = probeHost({}, () => ({ ms: 0 }));
    await host.onApplicationShutdown('SIGTERM');
    expect(stand.events).toEqual([]);
    expect(messages).toEqual([]);
    await results.close();
  });
});

describe('QueryWorkerHost', () => {
  it('runs two queries at a time and aborts running ones at once on shutdown', async () => {
    const config = testWorkerConfig({ FLEETQRY_SHUTDOWN_GRACE_MS: '60000' });
    const stand = standIn(() => ({ hang: true }));
    const host = new QueryWorkerHost(
      config,
      stand.processor as unknown as PortqryQueryProcessor,
      recordingLogger().logger,
    );
    const queue = await queueOf(QUEUES.queries, config);
    try {
      host.onApplicationBootstrap();
      for (const q of ['q1', 'q2', 'q3']) await queue.add(q);
      await until('two queries to run', () => stand.running.size === 2);
      // A third never starts beside them.
      await new Promise((r) => setTimeout(r, 300));
      expect(stand.running.size).toBe(2);
      const started = Date.now();
      await host.onApplicationShutdown();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(stand.running.size).toBe(0);
      expect(stand.events.filter((e) => e.startsWith('aborted: worker shutting down'))).toHaveLength(2);
    } finally {
      await queue.close();
    }
  });
});
