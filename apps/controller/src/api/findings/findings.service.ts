import { Injectable } from '@nestjs/common';
import type { Finding, ObservationsQuerySchema, Report } from '@fleetqry/contracts';
import { delta, PolicyError, type FindingFilter } from '@fleetqry/policy';
import { serviceName } from '@fleetqry/probe';
import { loadRunReport, loadViolationTrend, toStoreFilter } from '@fleetqry/sweep';
import type { z } from 'zod';
import {
  findingsOfRun,
  queryFindings,
  summarizeFindings,
  queryObservations,
  type DbFindingStatus,
  type DbSeverity,
} from '@fleetqry/store';

import { StoreService } from '../../store/store.service.js';
import { resolveRun } from '../common/run-ref.js';
import { validationError } from '../common/zod-validation.pipe.js';

export interface FindingsQuery {
  run: string;
  severity?: DbSeverity[];
  rule?: string[];
  host?: string[];
  tag?: string[];
  status?: DbFindingStatus[];
  limit: number;
  offset: number;
}

export type ObservationsQuery = z.infer<typeof ObservationsQuerySchema>;

/**
 * Findings, reports and deltas are read from the store with the same library calls as the CLI's `report`
 * and `diff` (libs/sweep buildReport, libs/policy delta), so both transports give one report shape.
 */
@Injectable()
export class FindingsService {
  constructor(private readonly stores: StoreService) {}

  private get store() {
    return this.stores.store;
  }

  /** Filters in SQL (indexed), paginated; hosts are addresses, CIDRs or names. */
  async findings(q: FindingsQuery) {
    const { run, filter } = await this.query(q);
    const page = await this.store.sql((conn) => queryFindings(conn, filter, q));
    return { ...page, limit: q.limit, offset: q.offset, run: { id: run.id, number: run.number } };
  }

  /** Counts by severity, rule and status, aggregated in SQL (no finding rows leave the database). */
  async summary(q: Omit<FindingsQuery, 'limit' | 'offset'>) {
    const { run, filter } = await this.query(q);
    const groups = await this.store.sql((conn) => summarizeFindings(conn, filter));
    return {
      run: { id: run.id, number: run.number },
      total: groups.reduce((n, g) => n + g.count, 0),
      groups,
    };
  }

  private async query(q: Omit<FindingsQuery, 'limit' | 'offset'>) {
    const run = await resolveRun(this.store, q.run);
    const filter = this.filter(() =>
      toStoreFilter(run.id, {
        ...(q.rule ? { rules: q.rule } : {}),
        ...(q.host ? { hosts: q.host } : {}),
        ...(q.tag ? { tags: q.tag } : {}),
        ...(q.status ? { statuses: q.status } : {}),
      }),
    );
    return { run, filter: { ...filter, ...(q.severity ? { severity: q.severity } : {}) } };
  }

  /** Every probed cell of the run (closed ports expanded from coverage), filtered in SQL and paged. */
  async observations(q: ObservationsQuery) {
    const run = await resolveRun(this.store, q.run);
    const page = await this.store.sql((conn) =>
      queryObservations(
        conn,
        {
          runId: run.id,
          ...(q.host ? { host: q.host } : {}),
          ...(q.proto ? { proto: q.proto } : {}),
          ...(q.port ? { port: q.port.map(Number) } : {}),
          ...(q.state ? { state: q.state } : {}),
        },
        { limit: q.limit, offset: q.offset },
        serviceName,
      ),
    );
    return { ...page, limit: q.limit, offset: q.offset, run: { id: run.id, number: run.number } };
  }

  /** The run's report, exactly as `fleetqry report --format json` builds it from a store. */
  async report(ref: string, filter: FindingFilter = {}): Promise<Report> {
    const run = await resolveRun(this.store, ref);
    this.filter(() => toStoreFilter(run.id, filter));
    return loadRunReport(this.store, run, filter);
  }

  /** Violations per succeeded run of the run's scan definition, up to the run, oldest first. */
  async trend(ref: string, limit?: number) {
    const run = await resolveRun(this.store, ref);
    return loadViolationTrend(this.store, run.id, limit);
  }

  async delta(fromRef: string, toRef: string) {
    const [from, to] = [
      await resolveRun(this.store, fromRef, 'from'),
      await resolveRun(this.store, toRef, 'to'),
    ];
    const [a, b]: [Finding[], Finding[]] = await Promise.all([
      findingsOfRun(this.store.prisma, from.id),
      findingsOfRun(this.store.prisma, to.id),
    ]);
    return {
      from: { id: from.id, number: from.number },
      to: { id: to.id, number: to.number },
      ...delta(a, b),
    };
  }

  /** A malformed CIDR in `host` is the client's error (400 naming the field), found before any SQL runs. */
  private filter<T>(build: () => T): T {
    try {
      return build();
    } catch (e) {
      if (e instanceof PolicyError || e instanceof Error)
        throw validationError([{ path: 'host', message: e.message }], 'query');
      throw e;
    }
  }
}
