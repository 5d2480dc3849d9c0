import { Inject, Injectable, Logger } from '@nestjs/common';
import { pruneRuns, runSucceededSince, type PrunedRun } from '@fleetqry/store';

import { StoreService } from '../store/store.service.js';
import { DISPATCH_CONFIG, type DispatchConfig } from './dispatch-config.js';

const DAY_MS = 86_400_000;

/**
 * Retention (FLEETQRY_RETENTION_RUNS / FLEETQRY_RETENTION_DAYS) through libs/store's pruneRuns. The reconciler
 * asks every tick, so it prunes at most once per FLEETQRY_RECONCILE_MS: when a run has succeeded since the last
 * prune, and once after start (the setting may have changed while the controller was down). Success is read
 * from Postgres, not from this process, so a run finished on any replica counts; replicas pruning together
 * queue on pruneRuns' lock and the later ones find nothing left to drop.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);
  /** When the last completed prune started; a run succeeding after it makes the next one due. */
  private lastPrune?: Date;

  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(DISPATCH_CONFIG) private readonly config: DispatchConfig,
  ) {}

  async pruneIfDue(): Promise<PrunedRun[]> {
    const { keepRuns, olderThanDays } = this.config.retention;
    if (keepRuns === undefined && olderThanDays === undefined) return [];
    const started = new Date();
    if (this.lastPrune && !(await runSucceededSince(this.store.prisma, this.lastPrune))) return [];
    const olderThan =
      olderThanDays === undefined ? undefined : new Date(started.getTime() - olderThanDays * DAY_MS);
    let pruned: PrunedRun[];
    try {
      pruned = await this.store.store.sql((conn) => pruneRuns(conn, { keepRuns, olderThan }));
    } catch (error) {
      // Still due: the next tick tries again.
      this.logger.warn(`retention: prune failed: ${(error as Error).message}`);
      return [];
    }
    this.lastPrune = started;
    if (pruned.length > 0) {
      const which = pruned.map((r) => `#${r.number} (${r.id})`).join(', ');
      this.logger.log(`retention pruned ${pruned.length} run(s) with their partitions: ${which}`);
    }
    return pruned;
  }
}
