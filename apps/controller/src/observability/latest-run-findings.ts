import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { FINDING_STATUSES, SEVERITIES } from '@fleetqry/contracts';
import { countFindingsBySeverity, latestSucceededRunPerScan, type FindingCount } from '@fleetqry/store';

import { StoreService } from '../store/store.service.js';
import { latestRunFindings } from './metrics.js';

/**
 * Fills fleetqry_latest_run_findings on each scrape. A scrape reads only which run is each scan's latest
 * (one index probe per scan definition, so a run that completed on any replica shows at the next scrape); a
 * succeeded run's findings never change, so each run's counts are aggregated once, when it becomes its
 * scan's latest (one index-only GROUP BY over its partition), and kept while it stays the latest.
 */
@Injectable()
export class LatestRunFindings implements OnModuleDestroy {
  private readonly logger = new Logger(LatestRunFindings.name);
  private readonly counts = new Map<string, Promise<FindingCount[]>>();

  constructor(@Inject(StoreService) private readonly store: StoreService) {
    latestRunFindings.readWith(() => this.read());
  }

  private async read(): Promise<void> {
    try {
      const latest = await this.store.store.sql((conn) => latestSucceededRunPerScan(conn));
      const current = new Set(latest.map((l) => l.runId));
      for (const runId of this.counts.keys()) if (!current.has(runId)) this.counts.delete(runId);
      const rows = await Promise.all(
        latest.map(async (l) => ({ ...l, counts: await this.countsOf(l.runId) })),
      );
      const gauge = latestRunFindings.gauge;
      gauge.reset(); // scans deleted, or renamed, since the last scrape go
      for (const { scan, counts } of rows) {
        for (const severity of SEVERITIES)
          for (const status of FINDING_STATUSES) gauge.set({ scan, severity, status }, 0);
        for (const c of counts) gauge.set({ scan, severity: c.severity, status: c.status }, c.count);
      }
    } catch (error) {
      // The database down: the last values stay; /health reports the outage.
      this.logger.warn(`latest run findings not read: ${(error as Error).message}`);
    }
  }

  private countsOf(runId: string): Promise<FindingCount[]> {
    let counts = this.counts.get(runId);
    if (!counts) {
      counts = this.store.store.sql((conn) => countFindingsBySeverity(conn, runId));
      this.counts.set(runId, counts);
      counts.catch(() => this.counts.delete(runId)); // tried again at the next scrape
    }
    return counts;
  }

  onModuleDestroy(): void {
    latestRunFindings.readWith(undefined);
  }
}
