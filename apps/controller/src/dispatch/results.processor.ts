import { Inject, Injectable, Logger } from '@nestjs/common';
import { ResultBatchJobSchema } from '@fleetqry/contracts';
import { UnrecoverableError, type Job } from 'bullmq';

import { CompleteRunUseCase } from './complete-run.use-case.js';
import { IngestResultsUseCase, type IngestOutcome } from './ingest-results.use-case.js';

/**
 * Thin: validates a result batch (zod), ingests it, and when it completed the run's last chunk, evaluates
 * and finishes the run. Logs ids and counts, never observations.
 */
@Injectable()
export class ResultsProcessor {
  private readonly logger = new Logger(ResultsProcessor.name);

  constructor(
    @Inject(IngestResultsUseCase) private readonly ingest: IngestResultsUseCase,
    @Inject(CompleteRunUseCase) private readonly complete: CompleteRunUseCase,
  ) {}

  async process(job: Job): Promise<IngestOutcome> {
    const parsed = ResultBatchJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const fields = [
        ...new Set(parsed.error.issues.map((i) => i.path.slice(0, 2).join('.') || '(top level)')),
      ];
      throw new UnrecoverableError(`job ${job.id}: invalid result batch (${fields.join(', ')})`);
    }
    const outcome = await this.ingest.execute(parsed.data);
    if (outcome.kind === 'ingested' && outcome.runComplete) await this.complete.execute(parsed.data.runId);
    return outcome;
  }
}
