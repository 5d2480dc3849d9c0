import { QueryJobSchema, type QueryJobResult } from '@fleetqry/contracts';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';

import type { PortqryQueryUseCase } from './portqry-query.use-case.js';

/** Thin: validates the query job, bounds it with a deadline and the shutdown signal, runs it, logs ids. */
export class PortqryQueryProcessor {
  constructor(
    private readonly useCase: PortqryQueryUseCase,
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  async process(job: Job, signal?: AbortSignal): Promise<QueryJobResult> {
    const parsed = QueryJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(top level)'))];
      throw new UnrecoverableError(`job ${job.id}: invalid query (${fields.join(', ')})`);
    }
    const deadline = AbortSignal.timeout(this.deadlineMs);
    const bounded = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      const result = await this.useCase.execute(parsed.data, bounded);
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
