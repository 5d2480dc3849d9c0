import { JOBS, type ProbeChunkJob } from '@fleetqry/contracts';
import { planScan } from '@fleetqry/probe';
import { signJob, toJobConfig, type JobKeys } from '@fleetqry/sweep/jobs';
import { UnrecoverableError, type Job } from 'bullmq';
import { pino } from 'pino';

import { WorkerMetrics } from '../observability/worker-metrics.js';
import { ProbeChunkProcessor } from './probe-chunk.processor.js';
import type { ProbeChunkOutcome, ProbeChunkUseCase } from './probe-chunk.use-case.js';

const KEYS: JobKeys = { current: 'k'.repeat(32) };
const OUTCOME: ProbeChunkOutcome = { attempt: 'a', batches: 2, observations: 40, failures: 1, durationMs: 5 };

async function chunkJob(): Promise<ProbeChunkJob> {
  const plan = await planScan({
    targets: ['127.0.0.1'],
    ports: { tcp: '22', defaultExcludedPorts: '2024' },
    scope: { allow: ['127.0.0.0/8'], deny: [] },
    maxHosts: 1,
    noReverse: true,
    dnsServers: [],
  });
  return {
    runId: '00000000-0000-4000-8000-000000000001',
    chunkIndex: 3,
    targets: [{ host: 'secret-host.example', address: '127.0.0.1', family: 4 }],
    probes: 1,
    config: toJobConfig(plan.config, []),
  };
}

/** The processor with the real metrics and a logger whose lines the test reads; the use case is the test's. */
function setup(
  execute: (job: ProbeChunkJob, signal: AbortSignal) => Promise<ProbeChunkOutcome>,
  deadlineMs = 5_000,
) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const metrics = new WorkerMetrics();
  const calls: ProbeChunkJob[] = [];
  const useCase = {
    execute: (job: ProbeChunkJob, signal: AbortSignal) => {
      calls.push(job);
      return execute(job, signal);
    },
  } as ProbeChunkUseCase;
  const processor = new ProbeChunkProcessor(useCase, metrics, logger, deadlineMs, KEYS);
  const counted = async (metric: 'chunks' | 'rejectedJobs') =>
    Object.fromEntries(
      (await metrics[metric].get()).values.map((v) => [String(Object.values(v.labels)[0]), v.value]),
    );
  return { processor, metrics, lines, calls, counted };
}

const bullJob = (data: unknown): Job => ({ id: 'job-1', data, attemptsMade: 0 }) as unknown as Job;

describe('ProbeChunkProcessor', () => {
  it('runs a signed, valid chunk and counts it; its log line has ids and counts, never the targets', async () => {
    const job = await chunkJob();
    const { processor, metrics, lines, calls, counted } = setup(async () => OUTCOME);
    expect(await processor.process(bullJob(signJob(JOBS.probeChunk, job, KEYS)))).toEqual(OUTCOME);
    expect(calls).toEqual([job]);
    expect(await counted('chunks')).toEqual({ done: 1 });
    expect((await metrics.observations.get()).values[0]!.value).toBe(40);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'chunk probed', jobId: 'job-1', runId: job.runId, chunkIndex: 3 });
    expect(JSON.stringify(lines)).not.toContain('secret-host');
  });

  it('refuses an unsigned job and one signed with another key, unretried, without running or logging it', async () => {
    const job = await chunkJob();
    const { processor, lines, calls, counted } = setup(async () => OUTCOME);
    const unsigned = processor.process(bullJob(job));
    await expect(unsigned).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(unsigned).rejects.toThrow('job job-1: refused, the job is not a signed envelope');
    await expect(
      processor.process(bullJob(signJob(JOBS.probeChunk, job, { current: 'x'.repeat(32) }))),
    ).rejects.toThrow(/refused, the job signature does not match/);
    // A signature for another kind of job does not pass for a probe chunk.
    await expect(processor.process(bullJob(signJob('scheduled-run', job, KEYS)))).rejects.toThrow(
      /refused, the job signature does not match/,
    );
    expect(calls).toEqual([]);
    expect(await counted('chunks')).toEqual({ rejected: 3 });
    expect(await counted('rejectedJobs')).toEqual({ unsigned: 1, 'bad-signature': 2 });
    expect(lines.map((l) => l['reason'])).toEqual(['unsigned', 'bad-signature', 'bad-signature']);
    expect(JSON.stringify(lines)).not.toContain('secret-host');
  });

  it('fails a signed but invalid job at once, naming the fields', async () => {
    const { targets: _t, ...job } = await chunkJob();
    const { processor, calls, counted } = setup(async () => OUTCOME);
    const bad = processor.process(bullJob(signJob(JOBS.probeChunk, { ...job, chunkIndex: -1 }, KEYS)));
    await expect(bad).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(bad).rejects.toThrow('job job-1: invalid probe chunk (chunkIndex, targets)');
    expect(calls).toEqual([]);
    expect(await counted('rejectedJobs')).toEqual({ invalid: 1 });
  });

  it('aborts a chunk at its deadline and says so (a retryable failure)', async () => {
    const { processor, lines, counted } = setup(
      (_job, signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      50,
    );
    const run = processor.process(bullJob(signJob(JOBS.probeChunk, await chunkJob(), KEYS)));
    await expect(run).rejects.toThrow(new Error('chunk deadline exceeded'));
    await expect(run).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect(await counted('chunks')).toEqual({ failed: 1 });
    expect(lines.at(-1)).toMatchObject({ msg: 'chunk failed', reason: 'chunk deadline exceeded' });
  });

  it('passes the worker’s shutdown on to the chunk, and the chunk’s own error out as it is', async () => {
    const shutdown = new AbortController();
    const { processor } = setup(
      (_job, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('scan stopped: shutting down'))),
        ),
    );
    const run = processor.process(bullJob(signJob(JOBS.probeChunk, await chunkJob(), KEYS)), shutdown.signal);
    shutdown.abort();
    await expect(run).rejects.toThrow('scan stopped: shutting down');
  });
});
