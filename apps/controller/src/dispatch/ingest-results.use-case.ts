import { Inject, Injectable } from '@nestjs/common';
import type { ResultBatchJob } from '@fleetqry/contracts';
import { ingestChunkBatch, type ChunkIngestOutcome } from '@fleetqry/sweep';

import { observationsIngested } from '../observability/metrics.js';
import { StoreService } from '../store/store.service.js';

export type IngestOutcome = ChunkIngestOutcome;

/**
 * One result batch through libs/sweep's distributed ingest stage (one transaction, idempotent per batch); what
 * it stored is counted.
 */
@Injectable()
export class IngestResultsUseCase {
  constructor(@Inject(StoreService) private readonly store: StoreService) {}

  async execute(batch: ResultBatchJob): Promise<IngestOutcome> {
    const outcome = await ingestChunkBatch(this.store.store, batch);
    if (outcome.kind === 'ingested') observationsIngested.inc(outcome.inserted);
    return outcome;
  }
}
