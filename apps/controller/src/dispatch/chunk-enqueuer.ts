import type { PolicyHost } from '@fleetqry/policy';
import { Inject, Injectable } from '@nestjs/common';
import {
  JOBS,
  JobScanConfigSchema,
  jobOptions,
  probeChunkJobId,
  type ChunkTarget,
  type JobScanConfig,
  type PlanFailure,
  type ProbeChunkJob,
  type RunReportPlan,
} from '@fleetqry/contracts';
import type { RunChunkRecord, RunRecord } from '@fleetqry/store';
import { signJob } from '@fleetqry/sweep/jobs';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DISPATCH_CONFIG, type DispatchConfig } from './dispatch-config.js';
import { DispatchQueues, withDeadline } from './dispatch-queues.js';

/** What a distributed run keeps in `runs.plan` (no secrets): enough to rebuild every chunk's job. */
export interface DistributedRunPlan extends Required<Pick<RunReportPlan, 'category' | 'sources'>> {
  scanDefinition: string;
  inventory: string;
  policyVersion: string | null;
  ports: { tcp: string; udp: string };
  chunks: number;
  planFailures: PlanFailure[];
  job: JobScanConfig;
  /**
   * The inventory's hosts as the policy sees them (tags, owners, groups), frozen at run start: evaluation
   * uses these, so an inventory edited during the run does not change the run's findings.
   */
  policyHosts: PolicyHost[];
}

const ADD_BULK = 1_000;

/**
 * Turns chunk rows into probe jobs, signed with the job key (workers refuse anything else), with
 * deterministic ids: adding a chunk that is already queued (a retried start, the reconciler, another
 * replica) is a no-op in BullMQ.
 */
@Injectable()
export class ChunkEnqueuer {
  constructor(
    @Inject(DispatchQueues) private readonly queues: DispatchQueues,
    @Inject(DISPATCH_CONFIG) private readonly config: DispatchConfig,
    @Inject(APP_CONFIG) private readonly app: AppConfig,
  ) {}

  async enqueue(
    run: RunRecord,
    chunks: readonly Pick<RunChunkRecord, 'chunkIndex' | 'targets' | 'probes'>[],
  ) {
    const job = JobScanConfigSchema.parse((run.plan as unknown as DistributedRunPlan).job);
    const options = jobOptions(this.config.retry);
    for (let i = 0; i < chunks.length; i += ADD_BULK) {
      const slice = chunks.slice(i, i + ADD_BULK).map((c) => ({
        name: JOBS.probeChunk,
        data: signJob<ProbeChunkJob>(
          JOBS.probeChunk,
          {
            runId: run.id,
            chunkIndex: c.chunkIndex,
            targets: c.targets as unknown as ChunkTarget[],
            probes: c.probes,
            config: job,
          },
          this.app.jobKeys,
        ),
        opts: { ...options, jobId: probeChunkJobId(run.id, c.chunkIndex) },
      }));
      await withDeadline(this.queues.probe.addBulk(slice), Math.max(this.config.redisTimeoutMs, 5_000));
    }
  }

  /** Removes the chunks' jobs that no worker has taken; a running one cannot be removed (its lock). */
  async withdraw(runId: string, chunkIndexes: readonly number[]): Promise<number> {
    let removed = 0;
    for (const i of chunkIndexes) {
      removed += await withDeadline(
        this.queues.probe.remove(probeChunkJobId(runId, i)),
        this.config.redisTimeoutMs,
      ).catch(() => 0);
    }
    return removed;
  }
}
