import { JOBS, QueryJobSchema, type QueryJobResult } from '@fleetqry/contracts';
import { verifySignedJob, type JobKeys } from '@fleetqry/sweep/jobs';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';

import type { ProbeTally } from '../observability/worker-metrics.js';
import type { PortqryQueryUseCase } from './portqry-query.use-case.js';

/**
 * Thin: verifies the controller's signature first (like probe chunks: a job written straight into Redis
 * probes nothing), validates the query job, bounds it with a deadline and the shutdown signal, runs it,
 * counts its probes.
 */
export class PortqryQueryProcessor {
  constructor(
    private readonly useCase: PortqryQueryUseCase,
    private readonly tally: ProbeTally,
    private readonly logger: Logger,
    private readonly deadlineMs: number,
    private readonly jobKeys: JobKeys,
  ) {}

  async process(job: Job, signal?: AbortSignal): Promise<QueryJobResult> {
    const verdict = verifySignedJob(JOBS.portqryQuery, job.data, this.jobKeys);
    if (!verdict.ok) {
      this.logger.warn(
        { jobId: job.id, reason: verdict.reason },
        'query job refused: not signed by the controller',
      );
      throw new UnrecoverableError(`job ${job.id}: refused, ${verdict.message}`);
    }
    const parsed = QueryJobSchema.safeParse(verdict.job);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(top level)'))];
      throw new UnrecoverableError(`job ${job.id}: invalid query (${fields.join(', ')})`);
    }
    const deadline = AbortSignal.timeout(this.deadlineMs);
    const bounded = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      const result = await this.useCase.execute(parsed.data, bounded);
      this.tally.countProbes(result.observations);
      this.logger.info(
        { jobId: job.id, ports: result.observations.length, durationMs: Math.round(result.durationMs) },
        'query done',
      );
      return result;
    } catch (error) {
      const reason = deadline.aborted ? 'query deadline exceeded' : (error as Error).message;
      this.logger.warn({ jobId: job.id, reason }, 'query failed');
      // The user sees the reason; a query is never retried (they ask again).
      throw new UnrecoverableError(reason);
    }
  }
}
