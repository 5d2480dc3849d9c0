import { Inject, Injectable, Logger } from '@nestjs/common';
import { JOBS, ScheduledRunJobSchema, jobOptions, scheduleJobSchedulerId } from '@fleetqry/contracts';
import { listScheduledScanDefinitions } from '@fleetqry/store';
import { UnrecoverableError, type Job } from 'bullmq';

import { StoreService } from '../store/store.service.js';
import { DISPATCH_CONFIG, type DispatchConfig } from './dispatch-config.js';
import { DispatchQueues, withDeadline } from './dispatch-queues.js';
import { StartRunUseCase } from './start-run.use-case.js';

const SCHEDULER_PREFIX = 'scan.';

/**
 * Scan schedules as BullMQ job schedulers, upserted from the database. The scheduler id is the scan
 * definition's, so N controller replicas upserting at once leave one scheduler in Redis; each fire is one
 * job, taken by one replica, and the run's idempotency key is the fire's job id (scheduler id + fire
 * time), so even a fire processed twice starts one run.
 */
@Injectable()
export class SchedulesService {
  private readonly logger = new Logger(SchedulesService.name);

  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(DispatchQueues) private readonly queues: DispatchQueues,
    @Inject(DISPATCH_CONFIG) private readonly config: DispatchConfig,
    @Inject(StartRunUseCase) private readonly startRun: StartRunUseCase,
  ) {}

  /** Upserts every enabled schedule and removes schedulers whose definition is gone or unscheduled. */
  async sync(): Promise<{ upserted: number; removed: number }> {
    const definitions = await listScheduledScanDefinitions(this.store.prisma);
    const wanted = new Set<string>();
    const deadline = Math.max(this.config.redisTimeoutMs, 5_000);
    for (const d of definitions) {
      const id = scheduleJobSchedulerId(d.id);
      wanted.add(id);
      await withDeadline(
        this.queues.schedules.upsertJobScheduler(
          id,
          { pattern: d.schedule!, tz: d.timezone },
          { name: JOBS.scheduledRun, data: { scanDefinitionId: d.id }, opts: jobOptions(this.config.retry) },
        ),
        deadline,
      );
    }
    let removed = 0;
    const existing = await withDeadline(this.queues.schedules.getJobSchedulers(0, -1), deadline);
    for (const s of existing) {
      if (s.key.startsWith(SCHEDULER_PREFIX) && !wanted.has(s.key)) {
        await withDeadline(this.queues.schedules.removeJobScheduler(s.key), deadline);
        removed++;
      }
    }
    return { upserted: wanted.size, removed };
  }

  /** After Redis lost its data (a restart without persistence), schedulers are upserted again. */
  async syncIfMissing(): Promise<void> {
    const expected = (await listScheduledScanDefinitions(this.store.prisma)).length;
    const count = await withDeadline(
      this.queues.schedules.getJobSchedulersCount(),
      this.config.redisTimeoutMs,
    );
    if (count !== expected) await this.sync();
  }

  /** One fire of a scheduler: start the definition's run, once per fire. */
  async fire(job: Job): Promise<string> {
    const parsed = ScheduledRunJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id}: invalid scheduled run`);
    const { run, created } = await this.startRun.execute({
      scanDefinitionId: parsed.data.scanDefinitionId,
      trigger: 'schedule',
      idempotencyKey: `schedule:${job.id}`,
    });
    if (created) this.logger.log(`scheduled run ${run.number} for ${parsed.data.scanDefinitionId}`);
    return run.id;
  }
}
