import { JOBS, QUEUES, jobOptions, resultBatchJobId, type ResultBatchJob } from '@fleetqry/contracts';
import { Queue } from 'bullmq';

import type { WorkerConfig } from '../config/worker-config.js';

/**
 * Publishes result batches to the controller. Unlike the controller's producer this one keeps the offline
 * queue: a worker mid-chunk waits out a Redis restart rather than losing its results. Deterministic job ids
 * make a repeated add of the same batch a no-op.
 */
export class ResultsPublisher {
  private readonly queue: Queue<ResultBatchJob>;

  constructor(config: WorkerConfig) {
    this.queue = new Queue<ResultBatchJob>(QUEUES.results, {
      connection: { ...config.redis, maxRetriesPerRequest: null },
      prefix: config.prefix,
      defaultJobOptions: jobOptions(config.retry),
    });
    // Connection errors surface as failed adds (retried by the chunk job); this only keeps them off stderr.
    this.queue.on('error', () => {});
  }

  async publish(batch: ResultBatchJob): Promise<void> {
    await this.queue.add(JOBS.resultBatch, batch, {
      jobId: resultBatchJobId(batch.runId, batch.chunkIndex, batch.attempt, batch.seq),
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
