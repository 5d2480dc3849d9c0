import { randomUUID } from 'node:crypto';

import type { HostCoverage, Observation, ProbeChunkJob } from '@fleetqry/contracts';
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
    // Plain closed ports travel as per-host coverage ranges: a mostly closed fleet publishes a few records
    // per host instead of one per probe. The batch size counts probes either way.
    let buffer: Observation[] = [];
    let coverage: HostCoverage[] = [];
    let buffered = 0;
    let lastFlush = performance.now();
    const flush = async () => {
      lastFlush = performance.now();
      if (buffer.length === 0 && coverage.length === 0) return;
      const batch = { observations: buffer, coverage };
      buffer = [];
      coverage = [];
      buffered = 0;
      await this.results.publish({
        runId: job.runId,
        chunkIndex: job.chunkIndex,
        attempt,
        seq: seq++,
        ...batch,
        failures: [],
      });
    };

    const counted = async (probes: number) => {
      buffered += probes;
      observations += probes;
      if (buffered >= this.options.resultBatch || performance.now() - lastFlush >= this.options.resultFlushMs)
        await flush();
    };
    await probeStage(
      plan,
      {
        onObservations: async (found, probes) => {
          for (const o of found) buffer.push(redactObservation(o, labels));
          await counted(probes);
        },
        onCoverage: async (done, probes) => {
          coverage.push(...done);
          await counted(probes);
        },
        onFailure: (f) => failures.push(f),
      },
      { workers: this.options.threads, signal, compact: true },
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
      coverage: [],
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
