import { Inject, Injectable, Logger } from '@nestjs/common';
import { probeChunkJobId } from '@fleetqry/contracts';
import { nothingToProbeError } from '@fleetqry/sweep';
import {
  chunkProgress,
  getRun,
  openChunks,
  runningDistributedRunIds,
  runPlanFailures,
  staleRunIds,
  type RunChunkRecord,
  type RunRecord,
} from '@fleetqry/store';

import { StoreService } from '../store/store.service.js';
import { ChunkEnqueuer } from './chunk-enqueuer.js';
import { CompleteRunUseCase } from './complete-run.use-case.js';
import { DISPATCH_CONFIG, type DispatchConfig } from './dispatch-config.js';
import { DispatchQueues, withDeadline } from './dispatch-queues.js';
import { FailRunUseCase } from './fail-run.use-case.js';
import { RetentionService } from './retention.service.js';
import { SchedulesService } from './schedules.service.js';

/**
 * Brings Redis back in line with Postgres, every FLEETQRY_RECONCILE_MS on every replica (all of it is
 * idempotent, so replicas need no lock): re-enqueues chunks whose job is missing (Redis restarted without
 * persistence, or an enqueue failed half-way), probes again chunks whose job completed but whose results
 * never arrived, fails runs whose chunk exhausted its attempts or that made no progress for
 * FLEETQRY_RUN_STALE_MS (heartbeats), finishes runs whose last chunk landed but whose evaluation was
 * interrupted, and re-creates lost schedulers.
 */
@Injectable()
export class ReconcilerService {
  private readonly logger = new Logger(ReconcilerService.name);

  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(DispatchQueues) private readonly queues: DispatchQueues,
    @Inject(DISPATCH_CONFIG) private readonly config: DispatchConfig,
    @Inject(ChunkEnqueuer) private readonly enqueuer: ChunkEnqueuer,
    @Inject(CompleteRunUseCase) private readonly complete: CompleteRunUseCase,
    @Inject(FailRunUseCase) private readonly fail: FailRunUseCase,
    @Inject(SchedulesService) private readonly schedules: SchedulesService,
    @Inject(RetentionService) private readonly retention: RetentionService,
  ) {}

  async tick(): Promise<void> {
    try {
      await this.queues.assertAvailable();
    } catch {
      return; // Redis down: nothing to reconcile against yet.
    }
    await this.schedules.syncIfMissing();
    await this.failStale();
    const resultsBacklog = await this.resultsBacklog();
    for (const runId of await runningDistributedRunIds(this.store.prisma)) {
      // One run's failure (a bad plan, a store error on its rows) is logged and does not hold up the others.
      await this.reconcileRun(runId, resultsBacklog).catch((error: unknown) =>
        this.logger.error(`run ${runId}: reconcile failed: ${(error as Error).message}`),
      );
    }
    await this.retention.pruneIfDue();
  }

  private async reconcileRun(runId: string, resultsBacklog: boolean): Promise<void> {
    const run = await getRun(this.store.prisma, runId);
    if (!run || run.status !== 'running') return;
    const open = await openChunks(this.store.prisma, runId);
    if (open.length === 0) {
      if ((await chunkProgress(this.store.prisma, runId)).chunks === 0) {
        // Nothing to probe (every target failed to resolve): the start fails such a run at once; this is
        // for a start interrupted in between.
        await this.fail.execute(run, nothingToProbeError(runPlanFailures(run)));
        return;
      }
      // The completing ingest committed but the evaluation did not happen (controller died in between).
      if (this.quietFor(run, this.config.resultsGraceMs)) await this.complete.execute(runId);
      return;
    }
    await this.reconcileChunks(run, open, resultsBacklog);
  }

  private async reconcileChunks(
    run: RunRecord,
    open: RunChunkRecord[],
    resultsBacklog: boolean,
  ): Promise<void> {
    const missing: RunChunkRecord[] = [];
    for (const chunk of open) {
      const jobId = probeChunkJobId(run.id, chunk.chunkIndex);
      const job = await withDeadline(this.queues.probe.getJob(jobId), this.config.redisTimeoutMs);
      if (!job) {
        missing.push(chunk);
        continue;
      }
      const state = await withDeadline(job.getState(), this.config.redisTimeoutMs);
      if (state === 'failed') {
        await this.fail.execute(
          run,
          `chunk ${chunk.chunkIndex} failed after ${job.attemptsMade} attempts: ${job.failedReason}`,
        );
        return;
      }
      // Completed, yet its results are not all in, and nothing is waiting in the results queue: they were lost.
      if (
        state === 'completed' &&
        !resultsBacklog &&
        Date.now() - (job.finishedOn ?? 0) > this.config.resultsGraceMs
      ) {
        await withDeadline(job.remove(), this.config.redisTimeoutMs).catch(() => {});
        missing.push(chunk);
      }
    }
    if (missing.length > 0) {
      this.logger.warn(`run ${run.id}: re-enqueueing ${missing.length} chunk(s) missing from Redis`);
      await this.enqueuer.enqueue(run, missing);
    }
  }

  private async failStale(): Promise<void> {
    const before = new Date(Date.now() - this.config.runStaleMs);
    for (const id of await staleRunIds(this.store.prisma, before)) {
      const run = await getRun(this.store.prisma, id);
      if (!run) continue;
      await this.fail
        .execute(run, `no progress for ${Math.round(this.config.runStaleMs / 1000)} s (stale heartbeat)`)
        .catch((error: unknown) =>
          this.logger.error(`run ${id}: could not fail the stale run: ${(error as Error).message}`),
        );
    }
  }

  private async resultsBacklog(): Promise<boolean> {
    const counts = await withDeadline(
      this.queues.results.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
      this.config.redisTimeoutMs,
    );
    return Object.values(counts).some((n) => n > 0);
  }

  private quietFor(run: RunRecord, ms: number): boolean {
    return !run.heartbeatAt || Date.now() - run.heartbeatAt.getTime() > ms;
  }
}
