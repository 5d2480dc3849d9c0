import { Inject, Injectable } from '@nestjs/common';
import type { ResultBatchJob } from '@fleetqry/contracts';
import { ingestChunkBatch, type ChunkIngestOutcome } from '@fleetqry/sweep';

import { StoreService } from '../store/store.service.js';

export type IngestOutcome = ChunkIngestOutcome;

/** One result batch through libs/sweep's distributed ingest stage (one transaction, idempotent per batch). */
@Injectable()
export class IngestResultsUseCase {
  constructor(@Inject(StoreService) private readonly store: StoreService) {}

  execute(batch: ResultBatchJob): Promise<IngestOutcome> {
    return ingestChunkBatch(this.store.store, batch);
  }
}
