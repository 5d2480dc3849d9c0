import {
  countPorts,
  type HostCoverage,
  type Observation,
  type PortRange,
  type Proto,
} from '@fleetqry/contracts';

import { copyLine, multirange, parseMultirange } from '../bulk/copy-text.js';
import type { SqlConnection } from '../client/sql-connection.js';
import { type ObservationRow, rowToObservation } from './observation-row.js';

const OBSERVATION_COLUMNS = [
  'run_id',
  'host',
  'address',
  'proto',
  'port',
  'check',
  'state',
  'reason',
  'service',
  'data',
  'evidence',
  'observed_at',
] as const;
const COVERAGE_COLUMNS = ['run_id', 'address', 'proto', 'host', 'closed', 'observed_at'] as const;

export interface IngestResult {
  /** Observation rows stored by this call. */
  inserted: number;
  /** Observation rows already stored (a retried chunk) or repeated within the input. */
  duplicates: number;
  /** Host/protocol coverage records stored by this call. */
  coverageInserted: number;
  /** Probes those coverage records stand for (their closed ports). */
  closedProbes: number;
}

/**
 * Ingests one batch of a run's results, inside the caller's transaction (`conn.transaction`), idempotently:
 * a retried batch or chunk stores nothing twice and the counts say what was new. Each table's rows are
 * COPYed straight in under a savepoint (the common case: nothing of the batch is stored yet, so COPY's bulk
 * insert path applies); if that meets a stored key (a retry, a redelivery), the savepoint is rolled back and
 * the rows go through a session-local staging table and `INSERT … ON CONFLICT DO NOTHING` instead.
 */
export async function ingestResults(
  tx: SqlConnection,
  runId: string,
  rows: readonly ObservationRow[],
  coverage: readonly HostCoverage[],
): Promise<IngestResult> {
  const result: IngestResult = { inserted: 0, duplicates: 0, coverageInserted: 0, closedProbes: 0 };
  if (rows.length > 0) {
    const lines = rows.map((r) =>
      copyLine([
        runId,
        r.host,
        r.address,
        r.proto,
        r.port,
        r.check,
        r.state,
        r.reason,
        r.service ?? null,
        r.data ?? null,
        r.evidence ?? null,
        r.observedAt,
      ]),
    );
    result.inserted = await copyIdempotent(tx, 'observations', OBSERVATION_COLUMNS, lines, (stage) =>
      tx
        .query(`INSERT INTO "observations" SELECT * FROM "${stage}" ON CONFLICT DO NOTHING`)
        .then((r) => r.rowCount),
    );
    result.duplicates = rows.length - result.inserted;
  }
  if (coverage.length > 0) {
    const lines = coverage.map((c) =>
      copyLine([
        runId,
        c.address,
        c.proto,
        c.host === c.address ? null : c.host,
        multirange(c.closed),
        c.observedAt,
      ]),
    );
    const all = coverage.reduce((n, c) => n + countPorts(c.closed), 0);
    let closedProbes = all;
    result.coverageInserted = await copyIdempotent(
      tx,
      'run_coverage',
      COVERAGE_COLUMNS,
      lines,
      async (stage) => {
        const moved = await tx.query<{ n: number; probes: string | number }>(
          `WITH ins AS (
           INSERT INTO "run_coverage" SELECT * FROM "${stage}" ON CONFLICT DO NOTHING RETURNING "closed")
         SELECT count(*)::int AS n,
                coalesce(sum((SELECT sum(upper(r) - lower(r)) FROM unnest(ins."closed") r)), 0)::bigint AS probes
         FROM ins`,
        );
        closedProbes = Number(moved.rows[0]?.probes ?? 0);
        return moved.rows[0]?.n ?? 0;
      },
    );
    result.closedProbes = closedProbes;
  }
  return result;
}

/**
 * COPY into `table` under a savepoint; on a unique violation, COPY into a staging copy of the table (session
 * temporary, emptied at commit) and let `move` insert what is new. Returns the rows stored.
 */
async function copyIdempotent(
  tx: SqlConnection,
  table: string,
  columns: readonly string[],
  lines: readonly string[],
  move: (stage: string) => Promise<number>,
): Promise<number> {
  await tx.query('SAVEPOINT fq_ingest');
  try {
    await tx.copyIn(table, columns, lines);
    await tx.query('RELEASE SAVEPOINT fq_ingest');
    return lines.length;
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await tx.query('ROLLBACK TO SAVEPOINT fq_ingest');
  }
  const stage = `fq_stage_${table}`;
  await tx.exec(`CREATE TEMP TABLE IF NOT EXISTS "${stage}" (LIKE "${table}") ON COMMIT DELETE ROWS`);
  await tx.copyIn(stage, columns, lines);
  return move(stage);
}

const UNIQUE_VIOLATION = '23505';

interface CoverageDbRow {
  address: string;
  proto: string;
  host: string | null;
  closed: string;
  observed_at: Date;
}

function toCoverage(r: CoverageDbRow): HostCoverage {
  return {
    host: r.host ?? r.address,
    address: r.address,
    proto: r.proto as Proto,
    closed: parseMultirange(r.closed),
    observedAt: r.observed_at.toISOString(),
  };
}

/** A slice of a run's probed hosts in address order: the addresses in [first, last], `hosts` of them. */
export interface HostSlice {
  first: string;
  last: string;
  hosts: number;
}

/**
 * The run's probed hosts in address order, about `size` at a time, as address bounds: keyset paging down the
 * coverage key (every probed host has a coverage record per protocol it was probed on), aggregated in SQL so
 * only one row per slice crosses to the caller (an embedded database pays per row returned).
 */
export async function* runHostSlices(
  conn: SqlConnection,
  runId: string,
  size: number,
): AsyncGenerator<HostSlice> {
  let after = '';
  for (;;) {
    const page: { rows: { first: string | null; last: string | null; hosts: number }[] } = await conn.query(
      `SELECT min("address") AS "first", max("address") AS "last", count(DISTINCT "address")::int AS "hosts"
         FROM (SELECT "address" FROM "run_coverage" WHERE "run_id" = $1::uuid AND "address" > $2::text
                ORDER BY "run_id", "address", "proto" LIMIT $3) AS "slice"`,
      [runId, after, size],
    );
    const slice = page.rows[0];
    if (!slice?.first || !slice.last) return;
    yield { first: slice.first, last: slice.last, hosts: slice.hosts };
    after = slice.last;
  }
}

/** A run's informative observations of the addresses in [first, last]. */
export async function runObservationsBetween(
  conn: SqlConnection,
  runId: string,
  first: string,
  last: string,
): Promise<Observation[]> {
  const r = await conn.query<Parameters<typeof rowToObservation>[0]>(
    `SELECT "host", "address", "proto", "port", "state", "reason", "service", "data", "evidence",
            "observed_at" AS "observedAt"
       FROM "observations" WHERE "run_id" = $1::uuid AND "address" BETWEEN $2 AND $3
      ORDER BY "address", "proto", "port", "check"`,
    [runId, first, last],
  );
  return r.rows.map(rowToObservation);
}

/**
 * A run's coverage records of the addresses in [first, last] that the evaluation needs: those of `addresses`
 * (hosts with previous findings, to tell resolved from not re-scanned), and those whose closed ports overlap
 * `closedIn` (ports some rule can fire on; `all` for every record).
 */
export async function runCoverageBetween(
  conn: SqlConnection,
  runId: string,
  first: string,
  last: string,
  select: { addresses: readonly string[]; closedIn: Record<Proto, readonly PortRange[]> | 'all' },
): Promise<HostCoverage[]> {
  const all = select.closedIn === 'all';
  const ranges = all ? undefined : (select.closedIn as Record<Proto, readonly PortRange[]>);
  if (!all && select.addresses.length === 0 && !ranges!.tcp.length && !ranges!.udp.length) return [];
  const r = await conn.query<CoverageDbRow>(
    `SELECT "address", "proto", "host", "closed"::text AS "closed", "observed_at"
       FROM "run_coverage" WHERE "run_id" = $1::uuid AND "address" BETWEEN $2 AND $3
        AND ($4::boolean OR "address" = ANY($5::text[])
             OR ("proto" = 'tcp' AND "closed" && $6::int4multirange)
             OR ("proto" = 'udp' AND "closed" && $7::int4multirange))
      ORDER BY "address", "proto"`,
    [runId, first, last, all, select.addresses, multirange(ranges?.tcp ?? []), multirange(ranges?.udp ?? [])],
  );
  return r.rows.map(toCoverage);
}

export interface ObservationFilter {
  runId: string;
  /** Host names or addresses. */
  host?: string[];
  proto?: string[];
  port?: number[];
  state?: string[];
}

/**
 * Every probed cell of a run, in key order, a page at a time with the total: the informative rows and the
 * closed ports expanded from coverage (an informative row for the same cell wins). `serviceOf` names the
 * closed ports' services (the port table lives in the probe lib).
 */
export async function queryObservations(
  conn: SqlConnection,
  filter: ObservationFilter,
  page: { limit: number; offset: number },
  serviceOf: (port: number, proto: Proto) => string | undefined,
): Promise<{ items: Observation[]; total: number }> {
  const params: unknown[] = [filter.runId];
  const conds: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    conds.push(sql(`$${params.length}`));
  };
  if (filter.host?.length)
    add((p) => `("host" = ANY(${p}::text[]) OR "address" = ANY(${p}::text[]))`, filter.host);
  if (filter.proto?.length) add((p) => `"proto" = ANY(${p}::text[])`, filter.proto);
  if (filter.port?.length) add((p) => `"port" = ANY(${p}::int[])`, filter.port);
  if (filter.state?.length) add((p) => `"state" = ANY(${p}::text[])`, filter.state);
  const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
  // Closed cells cannot match a state filter without NOT LISTENING: skip expanding them at all then.
  const closedWanted = !filter.state?.length || filter.state.includes('NOT LISTENING');
  const cells = `
    SELECT "host", "address", "proto", "port", "check", "state", "reason", "service", "data", "evidence",
           "observed_at" AS "observedAt"
      FROM "observations" WHERE "run_id" = $1::uuid
    ${
      closedWanted
        ? `UNION ALL
    SELECT coalesce(c."host", c."address"), c."address", c."proto", p."port", 'port', 'NOT LISTENING',
           CASE c."proto" WHEN 'tcp' THEN 'conn-refused' ELSE 'icmp-port-unreachable' END,
           NULL, NULL, NULL, c."observed_at"
      FROM "run_coverage" c, unnest(c."closed") r, generate_series(lower(r), upper(r) - 1) AS p("port")
     WHERE c."run_id" = $1::uuid AND NOT EXISTS (
       SELECT 1 FROM "observations" o WHERE o."run_id" = $1::uuid AND o."address" = c."address"
          AND o."proto" = c."proto" AND o."port" = p."port" AND o."check" = 'port')`
        : ''
    }`;
  const total = await conn.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM (${cells}) cells ${where}`,
    params,
  );
  params.push(page.limit, page.offset);
  const rows = await conn.query<Parameters<typeof rowToObservation>[0] & { check: string }>(
    `SELECT * FROM (${cells}) cells ${where}
      ORDER BY "address", "proto", "port", "check" LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return {
    items: rows.rows.map((r) => {
      const o = rowToObservation(r);
      if (r.service === null && r.data === null && o.state === 'NOT LISTENING') {
        const service = serviceOf(o.port, o.proto);
        if (service !== undefined) o.service = service;
      }
      return o;
    }),
    total: Number(total.rows[0]?.n ?? 0),
  };
}
