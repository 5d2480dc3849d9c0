import { randomUUID } from 'node:crypto';

import { QUEUES, type ResultBatchJob } from '@fleetqry/contracts';
import { Queue } from 'bullmq';

import { testWorkerConfig } from '../testing/worker-test-env.js';
import { ResultsPublisher } from './results-publisher.js';

/** The results queue on the machine's Redis, read back through BullMQ as the controller reads it. */
describe('ResultsPublisher', () => {
  const config = testWorkerConfig({ FLEETQRY_JOB_ATTEMPTS: '4' });
  const publisher = new ResultsPublisher(config);
  const queue = new Queue<ResultBatchJob>(QUEUES.results, {
    connection: { ...config.redis, maxRetriesPerRequest: null },
    prefix: config.prefix,
  });
  const runId = randomUUID();
  const batch = (seq: number, attempt = 'a1'): ResultBatchJob => ({
    runId,
    chunkIndex: 3,
    attempt,
    seq,
    observations: [],
    coverage: [],
    failures: [],
  });

  afterAll(async () => {
    await publisher.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('publishes each batch once, under an id of run, chunk, attempt and sequence', async () => {
    await publisher.publish(batch(0));
    await publisher.publish(batch(0));
    await publisher.publish(batch(1));
    await publisher.publish(batch(0, 'a2'));
    await publisher.publish(batch(-1));
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual(
      [`${runId}.3.a1.0`, `${runId}.3.a1.1`, `${runId}.3.a1.final`, `${runId}.3.a2.0`].sort(),
    );
    const first = jobs.find((j) => j.id === `${runId}.3.a1.0`)!;
    expect(first.data).toEqual(batch(0));
    expect(first.opts.attempts).toBe(4);
  });

  it('refuses to publish once closed', async () => {
    const closing = new ResultsPublisher(config);
    await closing.close();
    await expect(closing.publish(batch(7))).rejects.toThrow();
  });
});
