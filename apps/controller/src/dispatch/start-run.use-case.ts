import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createRun,
  createRunChunks,
  getRun,
  inTransaction,
  runByIdempotencyKey,
  startRun,
  type CreateRunInput,
  type RunRecord,
  type RunTrigger,
} from '@fleetqry/store';
import { inventorySources, nothingToProbeError, policyHosts, storedInventoryPath } from '@fleetqry/sweep';

import { StoreService } from '../store/store.service.js';
import { ChunkEnqueuer, type DistributedRunPlan } from './chunk-enqueuer.js';
import { DispatchQueues } from './dispatch-queues.js';
import { FailRunUseCase } from './fail-run.use-case.js';
import { ScanPlanner } from './scan-planner.js';

/** An idempotency key names one start of one scan definition: reusing it for another is a client's error. */
export class IdempotencyKeyConflictError extends Error {
  constructor() {
    super('this idempotency key was used to start a run of another scan definition');
    this.name = 'IdempotencyKeyConflictError';
  }
}

export interface StartRunInput {
  scanDefinitionId: string;
  trigger: Extract<RunTrigger, 'manual' | 'schedule'>;
  idempotencyKey?: string;
}

/**
 * Starts a distributed run: Redis first (a fast 503 before anything is written), then plan, the run and its
 * chunks in Postgres (the record of what is left to do), then the chunk jobs. If the enqueue fails
 * half-way, the run stays running and the reconciler enqueues the missing chunks once Redis is back. A plan
 * with no host to probe (every name failed to resolve) gives a run that is failed at once.
 * The same idempotency key returns the same run (a retried request, a schedule fire seen twice).
 */
@Injectable()
export class StartRunUseCase {
  private readonly logger = new Logger(StartRunUseCase.name);

  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(DispatchQueues) private readonly queues: DispatchQueues,
    @Inject(ScanPlanner) private readonly planner: ScanPlanner,
    @Inject(ChunkEnqueuer) private readonly enqueuer: ChunkEnqueuer,
    @Inject(FailRunUseCase) private readonly fail: FailRunUseCase,
  ) {}

  async execute(input: StartRunInput): Promise<{ run: RunRecord; created: boolean }> {
    await this.queues.assertAvailable();
    const prisma = this.store.prisma;
    if (input.idempotencyKey) {
      // Cheap path for a replay: no planning (DNS, scope) for a run that already exists.
      const existing = await runByIdempotencyKey(prisma, input.idempotencyKey);
      if (existing && existing.scanDefinitionId !== input.scanDefinitionId)
        throw new IdempotencyKeyConflictError();
      if (existing) return { run: existing, created: false };
    }
    const t0 = performance.now();
    const planned = await this.planner.plan(input.scanDefinitionId);
    const t1 = performance.now();
    const { plan, definition } = planned;
    const record: DistributedRunPlan = {
      scanDefinition: definition.name,
      inventory: planned.loaded.name,
      category: definition.name,
      sources: inventorySources(planned.loaded, { top: storedInventoryPath(planned.loaded.name) }),
      policyVersion: definition.policyVersion === null ? null : String(definition.policyVersion),
      ports: { tcp: plan.ports.tcp.toString(), udp: plan.ports.udp.toString() },
      chunks: planned.chunks.length,
      planFailures: planned.failures,
      job: planned.job,
      policyHosts: policyHosts(planned.loaded),
    };
    const { run, created } = await createRun(prisma, {
      trigger: input.trigger,
      scanDefinitionId: definition.id,
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      policyName: definition.policy,
      ...(definition.policyVersion !== null ? { policyVersion: definition.policyVersion } : {}),
      totalProbes: planned.chunks.reduce((n, c) => n + c.probes, 0),
      hosts: planned.chunks.reduce((n, c) => n + c.hosts, 0),
      plan: record as unknown as CreateRunInput['plan'],
    });
    // A concurrent start with the same key won the insert: the same answer as a replay, or the same conflict.
    if (!created && run.scanDefinitionId !== definition.id) throw new IdempotencyKeyConflictError();
    if (!created) return { run, created };
    const started = await inTransaction(prisma, async (tx) => {
      await createRunChunks(
        tx,
        run.id,
        planned.chunks.map((c) => ({ ...c, targets: c.targets })),
      );
      return startRun(tx, run.id);
    });
    const t2 = performance.now();
    if (planned.chunks.length === 0) {
      // Every target failed to resolve: nothing to wait for, the run ends failed now (plan failures kept).
      await this.fail.execute(started, nothingToProbeError(planned.failures));
      return { run: (await getRun(prisma, run.id)) ?? started, created: true };
    }
    try {
      // The chunks just written, from memory: reading them back would parse every target again (a /16's
      // chunk rows are megabytes of JSON) for the same jobs.
      await this.enqueuer.enqueue(started, planned.chunks);
    } catch (error) {
      // Not an error for the caller: the run is recorded and the reconciler finishes the enqueue.
      this.logger.warn(
        `run ${run.id}: enqueue incomplete (${(error as Error).message}); the reconciler retries`,
      );
    }
    const ms = (a: number, b: number) => Math.round(b - a);
    this.logger.log(
      `run ${run.number} (${run.id}) started: ${planned.chunks.length} chunks, ${started.totalProbes} probes ` +
        `(plan ${ms(t0, t1)} ms, run and chunk rows ${ms(t1, t2)} ms, enqueue ${ms(t2, performance.now())} ms)`,
    );
    return { run: started, created: true };
  }
}
