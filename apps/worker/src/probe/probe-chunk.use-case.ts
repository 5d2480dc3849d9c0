import { randomUUID } from 'node:crypto';

import type { Observation, ProbeChunkJob } from '@fleetqry/contracts';
import { probeStage, type TargetFailure } from '@fleetqry/probe';

import type { CredentialClient } from '../credentials/credential-client.js';
import type { ResultsPublisher } from '../queues/results-publisher.js';
import { chunkPlan, toScanConfig, type ChunkLimits } from './chunk-plan.js';
import { communityLabels, redactObservation } from './community-redaction.js';

export interface ProbeChunkOptions extends ChunkLimits {
  threads: number | undefined;
  resultBatch: number;
  resultFlushMs: number;
}

export interface ProbeChunkOutcome {
  attempt: string;
  batches: number;
  observations: number;
  failures: number;
  durationMs: number;
}

/**
 * Probes one chunk: communities fetched by id, scope re-checked, libs/sweep's probeStage on the chunk's
 * targets, observations (redacted) published in batches, then one final marker that says how many batches
 * this attempt sent. The attempt id keeps a retry's batches apart from a crashed attempt's.
 */
export class ProbeChunkUseCase {
  constructor(
    private readonly credentials: CredentialClient,
    private readonly results: ResultsPublisher,
    private readonly options: ProbeChunkOptions,
  ) {}

  async execute(job: ProbeChunkJob, signal: AbortSignal): Promise<ProbeChunkOutcome> {
    const started = performance.now();
    const attempt = randomUUID();
    const ids = job.config.communityCredentialIds;
    const secrets = await this.credentials.secrets(job.runId, ids);
    const labels = communityLabels(ids, secrets);
    const config = toScanConfig(job.config, secrets, this.options);
    const { plan, refused } = chunkPlan(job.targets, config);
    const failures: TargetFailure[] = [...refused];

    let seq = 0;
    let observations = 0;
    let buffer: Observation[] = [];
    let lastFlush = performance.now();
    const flush = async () => {
      lastFlush = performance.now();
      if (buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      await this.results.publish({
        runId: job.runId,
        chunkIndex: job.chunkIndex,
        attempt,
        seq: seq++,
        observations: batch,
        failures: [],
      });
    };

    await probeStage(
      plan,
      {
        onObservations: async (found) => {
          for (const o of found) buffer.push(redactObservation(o, labels));
          observations += found.length;
          if (
            buffer.length >= this.options.resultBatch ||
            performance.now() - lastFlush >= this.options.resultFlushMs
          )
            await flush();
        },
        onFailure: (f) => failures.push(f),
      },
      { workers: this.options.threads, signal },
    );
    // An aborted scan (deadline, shutdown) ends early without throwing: it must not pass for a complete chunk.
    signal.throwIfAborted();
    await flush();
    await this.results.publish({
      runId: job.runId,
      chunkIndex: job.chunkIndex,
      attempt,
      seq: -1,
      observations: [],
      failures,
      final: { batches: seq, observations },
    });
    return {
      attempt,
      batches: seq,
      observations,
      failures: failures.length,
      durationMs: performance.now() - started,
    };
  }
}
