import { Injectable } from '@nestjs/common';
import type { Finding, ObservationsQuerySchema, Report } from '@fleetqry/contracts';
import { delta, PolicyError, type FindingFilter } from '@fleetqry/policy';
import { buildReport, runInfo } from '@fleetqry/sweep';
import type { z } from 'zod';
import {
  findingsOfRun,
  getScanDefinition,
  previousRun,
  queryFindings,
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

  /** Filters in SQL (indexed), paginated; exact host names/addresses (use reports for CIDR filters). */
  async findings(q: FindingsQuery) {
    const run = await resolveRun(this.stores.prisma, q.run);
    const page = await queryFindings(
      this.stores.prisma,
      {
        runId: run.id,
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.rule ? { rule: q.rule } : {}),
        ...(q.host ? { host: q.host } : {}),
        ...(q.tag ? { tag: q.tag } : {}),
        ...(q.status ? { status: q.status } : {}),
      },
      { limit: q.limit, offset: q.offset },
    );
    return { ...page, limit: q.limit, offset: q.offset, run: { id: run.id, number: run.number } };
  }

  /** The run's observations (the network view), filtered in SQL and paged. */
  async observations(q: ObservationsQuery) {
    const run = await resolveRun(this.stores.prisma, q.run);
    const page = await queryObservations(
      this.stores.prisma,
      {
        runId: run.id,
        ...(q.host ? { host: q.host } : {}),
        ...(q.proto ? { proto: q.proto } : {}),
        ...(q.port ? { port: q.port.map(Number) } : {}),
        ...(q.state ? { state: q.state } : {}),
      },
      { limit: q.limit, offset: q.offset },
    );
    return { ...page, limit: q.limit, offset: q.offset, run: { id: run.id, number: run.number } };
  }

  /** The run's report, exactly as `fleetqry report --format json` builds it from a store. */
  async report(ref: string, filter: FindingFilter = {}): Promise<Report> {
    const db = this.stores.prisma;
    const run = await resolveRun(db, ref);
    const definition = run.scanDefinitionId ? await getScanDefinition(db, run.scanDefinitionId) : null;
    const previous = await previousRun(db, run);
    const findings = await findingsOfRun(db, run.id);
    try {
      return buildReport(
        runInfo(run, definition?.name ?? null),
        findings,
        previous ? { id: previous.id, number: previous.number } : null,
        filter,
      );
    } catch (e) {
      // filterFindings throws on a malformed CIDR in `host`.
      if (e instanceof PolicyError || e instanceof Error)
        throw validationError([{ path: 'host', message: e.message }], 'query');
      throw e;
    }
  }

  async delta(fromRef: string, toRef: string) {
    const db = this.stores.prisma;
    const [from, to] = [await resolveRun(db, fromRef), await resolveRun(db, toRef)];
    const [a, b]: [Finding[], Finding[]] = await Promise.all([
      findingsOfRun(db, from.id),
      findingsOfRun(db, to.id),
    ]);
    return {
      from: { id: from.id, number: from.number },
      to: { id: to.id, number: to.number },
      ...delta(a, b),
    };
  }
}
