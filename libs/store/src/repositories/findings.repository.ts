import type { Finding as FindingRecord } from '@fleetqry/contracts';

import type {
  Finding,
  FindingStatus,
  Prisma,
  PrismaClient,
  Severity,
  Waiver,
} from '../generated/prisma/client.js';
import type { Db } from './db.js';

/**
 * Replaces a run's findings in one transaction: evaluation is all-or-nothing (no half-written findings after a
 * crash) and re-evaluating a run is idempotent. `at` fills first/last seen where the policy left them out.
 */
export async function replaceRunFindings(
  prisma: PrismaClient,
  runId: string,
  findings: readonly FindingRecord[],
  at = new Date(),
): Promise<number> {
  // Prisma's 5 s default would cut off a large fleet's findings.
  return prisma.$transaction((tx) => writeRunFindings(tx, runId, findings, at), {
    timeout: 120_000,
    maxWait: 30_000,
  });
}

/** The body of replaceRunFindings, for a caller that already holds a transaction. */
export async function writeRunFindings(
  tx: Prisma.TransactionClient,
  runId: string,
  findings: readonly FindingRecord[],
  at = new Date(),
): Promise<number> {
  await tx.finding.deleteMany({ where: { runId } });
  // createMany splits into statements below the parameter limit itself.
  return (await tx.finding.createMany({ data: findings.map((f) => toCreateInput(runId, f, at)) })).count;
}

function toCreateInput(runId: string, f: FindingRecord, at: Date): Prisma.FindingCreateManyInput {
  return {
    runId,
    key: f.key,
    rule: f.rule,
    severity: f.severity,
    host: f.host,
    address: f.address,
    proto: f.proto ?? null,
    port: f.port ?? null,
    title: f.title,
    evidence: f.evidence as Prisma.InputJsonValue,
    status: f.status,
    tags: f.tags ?? [],
    owner: f.owner ?? null,
    references: f.references ?? [],
    waiverId: f.waiver?.id ?? null,
    firstSeen: f.firstSeen ? new Date(f.firstSeen) : at,
    lastSeen: f.lastSeen ? new Date(f.lastSeen) : at,
  };
}

export interface FindingFilter {
  runId: string;
  severity?: Severity[];
  rule?: string[];
  host?: string[];
  /** A finding matches if its host carries any of these tags. */
  tag?: string[];
  status?: FindingStatus[];
}

function where(filter: FindingFilter): Prisma.FindingWhereInput {
  return {
    runId: filter.runId,
    ...(filter.severity?.length ? { severity: { in: filter.severity } } : {}),
    ...(filter.rule?.length ? { rule: { in: filter.rule } } : {}),
    ...(filter.host?.length ? { OR: [{ host: { in: filter.host } }, { address: { in: filter.host } }] } : {}),
    ...(filter.tag?.length ? { tags: { hasSome: filter.tag } } : {}),
    ...(filter.status?.length ? { status: { in: filter.status } } : {}),
  };
}

export interface FindingPage {
  items: FindingRecord[];
  total: number;
}

/** Most severe first, then rule, host, port: the report's order. */
export async function queryFindings(
  db: Db,
  filter: FindingFilter,
  page: { limit?: number; offset?: number } = {},
): Promise<FindingPage> {
  const w = where(filter);
  const [rows, total] = await Promise.all([
    db.finding.findMany({
      where: w,
      include: { waiver: true },
      orderBy: [{ severity: 'asc' }, { rule: 'asc' }, { address: 'asc' }, { port: 'asc' }, { key: 'asc' }],
      take: page.limit ?? 100,
      skip: page.offset ?? 0,
    }),
    db.finding.count({ where: w }),
  ]);
  return { items: rows.map(toFindingRecord), total };
}

export interface FindingSummaryRow {
  severity: Severity;
  rule: string;
  status: FindingStatus;
  count: number;
}

/** Counts by severity, rule and status: the report's summary table and the --fail-on decision. */
export async function summarizeFindings(db: Db, filter: FindingFilter): Promise<FindingSummaryRow[]> {
  const groups = await db.finding.groupBy({
    by: ['severity', 'rule', 'status'],
    where: where(filter),
    _count: { _all: true },
    orderBy: [{ severity: 'asc' }, { rule: 'asc' }, { status: 'asc' }],
  });
  return groups.map((g) => ({ severity: g.severity, rule: g.rule, status: g.status, count: g._count._all }));
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

export function toFindingRecord(row: Finding & { waiver?: Waiver | null }): FindingRecord {
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
