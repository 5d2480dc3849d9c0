import { JOBS, ProbeChunkJobSchema } from '@fleetqry/contracts';
import { verifySignedJob, type JobKeys } from '@fleetqry/sweep/jobs';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';

import type { WorkerMetrics } from '../observability/worker-metrics.js';
import type { ProbeChunkOutcome, ProbeChunkUseCase } from './probe-chunk.use-case.js';

/**
 * Thin: verifies the controller's signature before anything else (a job written straight into Redis is
 * refused, unretried and counted), validates the job (zod), bounds it with the chunk deadline and the shutdown signal, calls the use
 * case, counts. It logs ids and counts only, never the payload (its config is scan data; its targets
 * are a map of the fleet).
 */
export class ProbeChunkProcessor {
  constructor(
    private readonly useCase: ProbeChunkUseCase,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
    private readonly chunkDeadlineMs: number,
    private readonly jobKeys: JobKeys,
  ) {}

  async process(job: Job, signal?: AbortSignal): Promise<ProbeChunkOutcome> {
    const verdict = verifySignedJob(JOBS.probeChunk, job.data, this.jobKeys);
    if (!verdict.ok) {
      this.metrics.chunks.inc({ outcome: 'rejected' });
      this.metrics.rejectedJobs.inc({ reason: verdict.reason });
      // Only the job id: nothing in an unverified job is trusted, not even enough to log it.
      this.logger.warn(
        { jobId: job.id, reason: verdict.reason },
        'probe job refused: not signed by the controller',
      );
      throw new UnrecoverableError(`job ${job.id}: refused, ${verdict.message}`);
    }
    const parsed = ProbeChunkJobSchema.safeParse(verdict.job);
    if (!parsed.success) {
      this.metrics.chunks.inc({ outcome: 'invalid' });
      this.metrics.rejectedJobs.inc({ reason: 'invalid' });
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(top level)'))];
      // A payload that can never become valid: retrying it is pointless, so it fails at once.
      throw new UnrecoverableError(`job ${job.id}: invalid probe chunk (${fields.join(', ')})`);
    }
    const { runId, chunkIndex } = parsed.data;
    const deadline = AbortSignal.timeout(this.chunkDeadlineMs);
    const bounded = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const stop = this.metrics.chunkSeconds.startTimer();
    try {
      const outcome = await this.useCase.execute(parsed.data, bounded);
      this.metrics.chunks.inc({ outcome: 'done' });
      this.metrics.observations.inc(outcome.observations);
      this.logger.info({ jobId: job.id, runId, chunkIndex, ...outcome }, 'chunk probed');
      return outcome;
    } catch (error) {
      this.metrics.chunks.inc({ outcome: 'failed' });
      const reason = deadline.aborted ? 'chunk deadline exceeded' : (error as Error).message;
      this.logger.warn(
        { jobId: job.id, runId, chunkIndex, attemptsMade: job.attemptsMade, reason },
        'chunk failed',
      );
      throw deadline.aborted ? new Error(reason) : error;
    } finally {
      stop();
    }
  }
}
