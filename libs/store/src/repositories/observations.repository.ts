import type { Observation } from '@fleetqry/contracts';

import { type ObservationRow, rowToObservation } from './observation-row.js';
import type { Db } from './db.js';

/**
 * One statement per batch whatever its size: each column travels as one array parameter and unnest() turns
 * them back into rows, so the statement has 11 parameters (far from Postgres' 32767 limit) and one plan.
 * ON CONFLICT DO NOTHING on the run/address/proto/port/check key makes a retried chunk a no-op, and the
 * row count it returns counts only new rows, so progress counters stay right under retries.
 */
export const INGEST_SQL = `
INSERT INTO "observations"
  ("run_id", "host", "address", "proto", "port", "check", "state", "reason", "service", "data", "evidence", "observed_at")
SELECT $1::uuid, t.host, t.address, t.proto, t.port, t."check", t.state, t.reason, t.service, t.data::jsonb, t.evidence, t.observed_at
FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
            $11::text[], $12::timestamptz[])
  AS t(host, address, proto, port, "check", state, reason, service, data, evidence, observed_at)
ON CONFLICT ("run_id", "address", "proto", "port", "check") DO NOTHING`;

/**
 * Rows per statement: bounds the statement's memory. Measured (tools/bench/results/ingest-*.json): Postgres
 * gains from bigger batches (1k → 20k: +50%), PGlite is flat; 5000 keeps a batch's arrays a few MB.
 */
export const DEFAULT_INGEST_BATCH = 5000;

export interface IngestResult {
  inserted: number;
  /** Rows already stored (a retried chunk) or repeated within the input. */
  duplicates: number;
}

export async function ingestObservations(
  db: Db,
  runId: string,
  rows: readonly ObservationRow[],
  batchSize = DEFAULT_INGEST_BATCH,
): Promise<IngestResult> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += batchSize) {
    inserted += await ingestBatch(db, runId, rows.slice(i, i + batchSize));
  }
  return { inserted, duplicates: rows.length - inserted };
}

async function ingestBatch(db: Db, runId: string, rows: readonly ObservationRow[]): Promise<number> {
  const col = <T>(f: (r: ObservationRow) => T): T[] => rows.map(f);
  return db.$executeRawUnsafe(
    INGEST_SQL,
    runId,
    col((r) => r.host),
    col((r) => r.address),
    col((r) => r.proto),
    col((r) => r.port),
    col((r) => r.check),
    col((r) => r.state),
    col((r) => r.reason),
    col((r) => r.service ?? null),
    col((r) => (r.data == null ? null : JSON.stringify(r.data))),
    col((r) => r.evidence ?? null),
    col((r) => (r.observedAt instanceof Date ? r.observedAt.toISOString() : r.observedAt)),
  );
}

export async function countObservations(db: Db, runId: string): Promise<number> {
  return db.observation.count({ where: { runId } });
}

/** A run's observations in key order, a page at a time (10M-row runs never sit in memory at once). */
export async function* iterateObservations(
  db: Db,
  runId: string,
  pageSize = 10_000,
): AsyncGenerator<Observation[]> {
  let after: bigint | undefined;
  for (;;) {
    const page = await db.observation.findMany({
      where: { runId, ...(after !== undefined ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: pageSize,
    });
    if (page.length === 0) return;
    yield page.map(rowToObservation);
    after = page[page.length - 1]!.id;
  }
}

export interface ObservationFilter {
  runId: string;
  host?: string[];
  proto?: string[];
  port?: number[];
  state?: string[];
}

/** A page of a run's observations for the API, in key order, with the total. */
export async function queryObservations(
  db: Db,
  filter: ObservationFilter,
  page: { limit: number; offset: number },
): Promise<{ items: Observation[]; total: number }> {
  const where = {
    runId: filter.runId,
    ...(filter.host?.length ? { OR: [{ host: { in: filter.host } }, { address: { in: filter.host } }] } : {}),
    ...(filter.proto?.length ? { proto: { in: filter.proto } } : {}),
    ...(filter.port?.length ? { port: { in: filter.port } } : {}),
    ...(filter.state?.length ? { state: { in: filter.state } } : {}),
  };
  const [rows, total] = await Promise.all([
    db.observation.findMany({
      where,
      orderBy: [{ address: 'asc' }, { proto: 'asc' }, { port: 'asc' }, { check: 'asc' }],
      take: page.limit,
      skip: page.offset,
    }),
    db.observation.count({ where }),
  ]);
  return { items: rows.map(rowToObservation), total };
}
