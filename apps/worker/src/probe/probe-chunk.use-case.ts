import { randomUUID } from 'node:crypto';

import type { ProbeChunkJob } from '@fleetqry/contracts';
import { probeStage, type TargetFailure } from '@fleetqry/probe';
import { chunkPlan, ResultBuffer, toScanConfig, type ChunkLimits } from '@fleetqry/sweep/jobs';

import type { CredentialClient } from '../credentials/credential-client.js';
import type { ProbeTally } from '../observability/worker-metrics.js';
import type { ResultsPublisher } from '../queues/results-publisher.js';
import { redactObservation, snmpSecrets } from './community-redaction.js';

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
 * Probes one chunk: scope re-checked (the job's and the worker's own), SNMP credentials fetched by id, libs/sweep's probeStage on the chunk's
 * targets, observations (redacted) and host coverage published in numbered batches, then one final marker
 * that carries the rest and says how many numbered batches this attempt sent. The attempt id keeps a
 * retry's batches apart from a crashed attempt's.
 */
export class ProbeChunkUseCase {
  constructor(
    private readonly credentials: CredentialClient,
    private readonly results: ResultsPublisher,
    private readonly options: ProbeChunkOptions,
    private readonly tally: ProbeTally,
  ) {}

  async execute(job: ProbeChunkJob, signal: AbortSignal): Promise<ProbeChunkOutcome> {
    const started = performance.now();
    const attempt = randomUUID();
    const ids = job.config.communityCredentialIds;
    // Scope first: a chunk with nothing this worker may probe asks the controller for no secret.
    const none = { communities: [], v3Users: [] };
    const { refused } = chunkPlan(job.targets, toScanConfig(job.config, none, this.options));
    const { labels, ...secrets } =
      refused.length < job.targets.length
        ? snmpSecrets(ids, await this.credentials.open(job, ids))
        : { ...none, labels: new Map<string, string>() };
    const { plan } = chunkPlan(job.targets, toScanConfig(job.config, secrets, this.options));
    const failures: TargetFailure[] = [...refused];

    let seq = 0;
    let observations = 0;
    // Plain closed ports travel as per-host coverage ranges: a mostly closed fleet publishes one record per
    // host instead of one per probe. A batch holds up to `resultBatch` records, observations and coverage
    // records alike (each is one row to the controller), and the last one rides on the final marker: a
    // chunk that fits in one batch costs the controller one ingest transaction, not one per batch + 1.
    const buffer = new ResultBuffer(this.options.resultBatch, this.options.resultFlushMs);
    const flush = async () => {
      if (buffer.empty) return;
      await this.results.publish({
        runId: job.runId,
        chunkIndex: job.chunkIndex,
        attempt,
        seq: seq++,
        ...buffer.take(),
        failures: [],
      });
    };
    const counted = async (probes: number) => {
      observations += probes;
      if (buffer.due) await flush();
    };
    // Compacted where observations are produced: in the scan threads when the worker runs several, else
    // here on the worker's main thread, which has nothing else to do (a scan thread started per chunk would
    // cost more than the chunk: each loads the probe library again, about half a second).
    const { network } = await probeStage(
      plan,
      {
        onObservations: async (found, probes) => {
          this.tally.countProbes(found);
          buffer.add(
            found.map((o) => redactObservation(o, labels)),
            [],
            found.length,
          );
          await counted(probes);
        },
        onCoverage: async (done, probes) => {
          this.tally.countProbes([], done);
          buffer.add([], done, done.length);
          await counted(probes);
        },
        onFailure: (f) => failures.push(f),
      },
      { workers: this.options.threads, signal, compact: true },
    );
    // An aborted scan (deadline, shutdown) ends early without throwing: it must not pass for a complete chunk.
    signal.throwIfAborted();
    await this.results.publish({
      runId: job.runId,
      chunkIndex: job.chunkIndex,
      attempt,
      seq: -1,
      ...buffer.take(),
      failures,
      final: { batches: seq, observations, network },
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
