import type { Finding as FindingRecord } from '@fleetqry/contracts';

import type { Finding, FindingStatus, Severity, Waiver } from '../generated/prisma/client.js';
import { copyLine, textArray } from '../bulk/copy-text.js';
import type { SqlConnection } from '../client/sql-connection.js';
import type { Db } from './db.js';

/**
 * Replaces a run's findings in one transaction: all-or-nothing (no half-written findings after a crash) and
 * idempotent. `at` fills first/last seen where the policy left them out.
 */
export async function replaceRunFindings(
  conn: SqlConnection,
  runId: string,
  findings: readonly FindingRecord[],
  at = new Date(),
): Promise<number> {
  return conn.transaction(async (tx) => {
    await deleteRunFindings(tx, runId);
    return copyRunFindings(tx, runId, findings, at);
  });
}

export interface FindingFilter {
  runId: string;
  severity?: Severity[];
  /** Rule ids; a trailing `*` matches a prefix (`snmp.*`). */
  rule?: string[];
  /** Addresses, CIDRs (`10.0.0.0/24`) or host names. */
  host?: string[];
  /** A finding matches if its host carries any of these tags. */
  tag?: string[];
  status?: FindingStatus[];
}

/** The filter as SQL over "findings" (every criterion AND, any entry of a list OR), with its parameters. */
function findingWhere(filter: FindingFilter, alias = ''): { sql: string; params: unknown[] } {
  const col = (name: string) => `${alias ? `${alias}.` : ''}"${name}"`;
  const params: unknown[] = [filter.runId];
  const conds = [`${col('run_id')} = $1::uuid`];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  // Compared as the column's own enum type (a cast of the column to text would keep its indexes out).
  if (filter.severity?.length)
    conds.push(`${col('severity')} = ANY(${param(filter.severity)}::"severity"[])`);
  if (filter.rule?.length) {
    const exact = filter.rule.filter((r) => !r.endsWith('*'));
    const prefixes = filter.rule.filter((r) => r.endsWith('*')).map((r) => likePrefix(r.slice(0, -1)));
    const any = [
      // One rule as plain equality: Postgres 15 checks `= ANY` only after fetching each row, equality in the
      // report-order index itself.
      ...(exact.length === 1 ? [`${col('rule')} = ${param(exact[0])}`] : []),
      ...(exact.length > 1 ? [`${col('rule')} = ANY(${param(exact)}::text[])`] : []),
      ...(prefixes.length ? [`${col('rule')} LIKE ANY(${param(prefixes)}::text[])`] : []),
    ];
    conds.push(`(${any.join(' OR ')})`);
  }
  if (filter.host?.length) {
    const cidrs = filter.host.filter((h) => h.includes('/'));
    const names = filter.host.filter((h) => !h.includes('/')).map((h) => h.toLowerCase());
    const any = [
      ...(names.length
        ? [
            `lower(${col('host')}) = ANY(${param(names)}::text[]) OR ${col('address')} = ANY(${param(names)}::text[])`,
          ]
        : []),
      // Only addresses cast: a finding's address is always one (canonical text), never a name.
      ...(cidrs.length ? [`${col('address')}::inet <<= ANY(${param(cidrs)}::cidr[])`] : []),
    ];
    conds.push(`(${any.join(' OR ')})`);
  }
  if (filter.tag?.length) conds.push(`${col('tags')} && ${param(filter.tag)}::text[]`);
  if (filter.status?.length)
    conds.push(`${col('status')} = ANY(${param(filter.status)}::"finding_status"[])`);
  return { sql: conds.join(' AND '), params };
}

function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface FindingPage {
  items: FindingRecord[];
  total: number;
}

const FINDING_SELECT = `SELECT f."key", f."rule", f."severity", f."host", f."address", f."proto", f."port", f."title",
       f."evidence", f."status", f."tags", f."owner", f."refs", f."first_seen", f."last_seen",
       w."id" AS "w_id", w."owner" AS "w_owner", w."reason" AS "w_reason", w."expires_at" AS "w_expires_at"
  FROM "findings" f LEFT JOIN "waivers" w ON w."id" = f."waiver_id"`;

/** Most severe first, then rule, address, port, key: the report's order, straight from an index. */
export async function queryFindings(
  conn: SqlConnection,
  filter: FindingFilter,
  page: { limit?: number; offset?: number } = {},
): Promise<FindingPage> {
  const { sql, params } = findingWhere(filter, 'f');
  const n = params.length;
  const [rows, total] = [
    await conn.query<FindingDbRow & WaiverDbColumns>(
      `${FINDING_SELECT} WHERE ${sql}
        ORDER BY f."severity", f."rule", f."address", f."port", f."key" LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, page.limit ?? 100, page.offset ?? 0],
    ),
    await conn.query<{ n: number }>(`SELECT count(*)::int AS n FROM "findings" f WHERE ${sql}`, params),
  ];
  return { items: rows.rows.map(fromDbRow), total: total.rows[0]?.n ?? 0 };
}

/** Every finding matching the filter, in the report's order (a report's violations list). */
export async function selectFindings(conn: SqlConnection, filter: FindingFilter): Promise<FindingRecord[]> {
  const { sql, params } = findingWhere(filter, 'f');
  const rows = await conn.query<FindingDbRow & WaiverDbColumns>(
    `${FINDING_SELECT} WHERE ${sql}
      ORDER BY f."severity", f."rule", f."address", f."port", f."key"`,
    params,
  );
  return rows.rows.map(fromDbRow);
}

export interface FindingSummaryRow {
  severity: Severity;
  rule: string;
  status: FindingStatus;
  count: number;
  hosts: number;
}

/** Counts (and distinct hosts) by severity, rule and status: a summary without loading findings. */
export async function summarizeFindings(
  conn: SqlConnection,
  filter: FindingFilter,
): Promise<FindingSummaryRow[]> {
  const { sql, params } = findingWhere(filter);
  const r = await conn.query<FindingSummaryRow>(
    `SELECT "severity", "rule", "status", count(*)::int AS "count", count(DISTINCT "address")::int AS "hosts"
       FROM "findings" WHERE ${sql} GROUP BY "severity", "rule", "status" ORDER BY "severity", "rule", "status"`,
    params,
  );
  return r.rows;
}

interface WaiverDbColumns {
  w_id: string | null;
  w_owner: string | null;
  w_reason: string | null;
  w_expires_at: Date | null;
}

function fromDbRow(row: FindingDbRow & Partial<WaiverDbColumns>): FindingRecord {
  return toFindingRecord({
    ...row,
    tags: row.tags ?? [],
    references: row.refs ?? [],
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    waiver: row.w_id
      ? { id: row.w_id, owner: row.w_owner, reason: row.w_reason, expiresAt: row.w_expires_at }
      : null,
  } as unknown as Finding & { waiver: Waiver | null });
}

/** Every finding of a run (the previous run's, for the lifecycle), in key order. */
export async function findingsOfRun(db: Db, runId: string): Promise<FindingRecord[]> {
  const rows = await db.finding.findMany({
    where: { runId },
    orderBy: { key: 'asc' },
    include: { waiver: true },
  });
  return rows.map(toFindingRecord);
}

function toFindingRecord(row: Finding & { waiver?: Waiver | null }): FindingRecord {
  return {
    key: row.key,
    rule: row.rule,
    severity: row.severity,
    host: row.host,
    address: row.address,
    ...(row.proto ? { proto: row.proto as 'tcp' | 'udp' } : {}),
    ...(row.port !== null ? { port: row.port } : {}),
    title: row.title,
    evidence: (row.evidence ?? {}) as Record<string, unknown>,
    status: row.status,
    tags: row.tags,
    ...(row.owner ? { owner: row.owner } : {}),
    ...(row.references.length ? { references: row.references } : {}),
    firstSeen: row.firstSeen.toISOString(),
    lastSeen: row.lastSeen.toISOString(),
    ...(row.waiver
      ? {
          waiver: {
            id: row.waiver.id,
            owner: row.waiver.owner,
            reason: row.waiver.reason,
            expiresAt: row.waiver.expiresAt.toISOString(),
          },
        }
      : {}),
  };
}

const FINDING_COLUMNS = [
  'run_id',
  'key',
  'rule',
  'severity',
  'host',
  'address',
  'proto',
  'port',
  'title',
  'evidence',
  'status',
  'tags',
  'owner',
  'refs',
  'waiver_id',
  'first_seen',
  'last_seen',
] as const;

/** Appends findings to a run with COPY (the streaming evaluation writes one host batch at a time). */
export async function copyRunFindings(
  conn: SqlConnection,
  runId: string,
  findings: readonly FindingRecord[],
  at = new Date(),
): Promise<number> {
  await conn.copyIn(
    'findings',
    FINDING_COLUMNS,
    findings.map((f) =>
      copyLine([
        runId,
        f.key,
        f.rule,
        f.severity,
        f.host,
        f.address,
        f.proto ?? null,
        f.port ?? null,
        f.title,
        f.evidence,
        f.status,
        textArray(f.tags ?? []),
        f.owner ?? null,
        textArray(f.references ?? []),
        f.waiver?.id ?? null,
        f.firstSeen ?? at,
        f.lastSeen ?? at,
      ]),
    ),
  );
  return findings.length;
}

/**
 * After a run's evaluation its findings never change: vacuum and analyse its partition once, so summaries
 * are index-only scans and the planner knows the run's size.
 */
export async function settleRunFindings(conn: SqlConnection, runId: string): Promise<void> {
  await conn.query(`VACUUM (ANALYZE) "findings_${runId.replace(/-/g, '')}"`);
}

export async function deleteRunFindings(conn: SqlConnection, runId: string): Promise<void> {
  await conn.query(`DELETE FROM "findings" WHERE "run_id" = $1::uuid`, [runId]);
}

interface FindingDbRow {
  key: string;
  rule: string;
  severity: Severity;
  host: string;
  address: string;
  proto: string | null;
  port: number | null;
  title: string;
  evidence: unknown;
  status: FindingStatus;
  tags: string[] | null;
  owner: string | null;
  refs: string[] | null;
  first_seen: Date;
  last_seen: Date;
}

/**
 * A run's findings whose address lies in (after, upTo] (null = unbounded), in key order: the previous run's
 * findings for one host batch of the streaming evaluation. Waivers are not joined (the lifecycle re-applies
 * the active ones).
 */
export async function runFindingsBetween(
  conn: SqlConnection,
  runId: string,
  after: string | null,
  upTo: string | null,
): Promise<FindingRecord[]> {
  const r = await conn.query<FindingDbRow>(
    `SELECT "key", "rule", "severity", "host", "address", "proto", "port", "title", "evidence", "status", "tags",
            "owner", "refs", "first_seen", "last_seen"
       FROM "findings"
      WHERE "run_id" = $1::uuid AND ($2::text IS NULL OR "address" > $2::text)
        AND ($3::text IS NULL OR "address" <= $3::text)
      ORDER BY "key"`,
    [runId, after, upTo],
  );
  return r.rows.map(fromDbRow);
}

export interface TrendRow {
  runId: string;
  number: number;
  finishedAt: Date | null;
  severity: Severity | null;
  count: number;
}

/**
 * Violations (new and persisting findings) per severity of a scan's last `limit` succeeded runs (up to run
 * number `upToNumber` when given), oldest first; a run without violations has one row with a null severity. Each run's count is one scan of its
 * own partition through the (run, status) index.
 */
export async function violationTrend(
  conn: SqlConnection,
  scanDefinitionId: string,
  limit: number,
  upToNumber?: number,
): Promise<TrendRow[]> {
  const r = await conn.query<TrendRow>(
    `WITH recent AS (
       SELECT "id", "number", "finished_at" FROM "runs"
        WHERE "scan_definition_id" = $1::uuid AND "status" = 'succeeded'
          AND ($3::int IS NULL OR "number" <= $3::int)
        ORDER BY "number" DESC LIMIT $2)
     SELECT r."id" AS "runId", r."number", r."finished_at" AS "finishedAt", f."severity",
            count(f."key")::int AS "count"
       FROM recent r
       LEFT JOIN "findings" f ON f."run_id" = r."id" AND f."status" IN ('new', 'persisting')
      GROUP BY r."id", r."number", r."finished_at", f."severity"
      ORDER BY r."number", f."severity"`,
    [scanDefinitionId, limit, upToNumber ?? null],
  );
  return r.rows;
}

/**
 * One keyset page of a run's findings of one status, in key order after `afterKey` (null: from the start):
 * a bounded read however many findings the run has, straight from the (run, status, key) index.
 */
export async function findingsPageByStatus(
  conn: SqlConnection,
  runId: string,
  status: FindingStatus,
  afterKey: string | null,
  limit: number,
): Promise<FindingRecord[]> {
  const r = await conn.query<FindingDbRow & WaiverDbColumns>(
    `${FINDING_SELECT}
      WHERE f."run_id" = $1::uuid AND f."status" = $2::"finding_status" AND ($3::text IS NULL OR f."key" > $3::text)
      ORDER BY f."key" LIMIT $4`,
    [runId, status, afterKey, limit],
  );
  return r.rows.map(fromDbRow);
}

/**
 * The key of the `n`-th finding (1-based) of one status after `afterKey`, or null when there are fewer: the
 * boundaries of fixed-size pages, found with index-only reads and without loading the findings.
 */
export async function nthFindingKeyAfter(
  conn: SqlConnection,
  runId: string,
  status: FindingStatus,
  afterKey: string | null,
  n: number,
): Promise<string | null> {
  const r = await conn.query<{ key: string }>(
    `SELECT "key" FROM "findings"
      WHERE "run_id" = $1::uuid AND "status" = $2::"finding_status" AND ($3::text IS NULL OR "key" > $3::text)
      ORDER BY "key" OFFSET $4 LIMIT 1`,
    [runId, status, afterKey, n - 1],
  );
  return r.rows[0]?.key ?? null;
}

export interface FindingCount {
  severity: Severity;
  status: FindingStatus;
  count: number;
}

/** How many findings of a run have each severity and status (index-only on (run, severity, rule, status, …)). */
export async function countFindingsBySeverity(conn: SqlConnection, runId: string): Promise<FindingCount[]> {
  const r = await conn.query<FindingCount>(
    `SELECT "severity", "status", count(*)::int AS "count" FROM "findings" WHERE "run_id" = $1::uuid
      GROUP BY "severity", "status"`,
    [runId],
  );
  return r.rows;
}

/** How many findings of a run have each status (index-only on (run, status)). */
export async function countFindingsByStatus(
  conn: SqlConnection,
  runId: string,
): Promise<Record<FindingStatus, number>> {
  const r = await conn.query<{ status: FindingStatus; n: number }>(
    `SELECT "status", count(*)::int AS "n" FROM "findings" WHERE "run_id" = $1::uuid GROUP BY "status"`,
    [runId],
  );
  const counts: Record<FindingStatus, number> = { new: 0, persisting: 0, resolved: 0, waived: 0 };
  for (const row of r.rows) counts[row.status] = row.n;
  return counts;
}
