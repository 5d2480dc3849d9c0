import { NO_NETWORK_EVIDENCE, type NetworkQuality } from '@fleetqry/contracts';

import type { Prisma, RunChunk } from '../generated/prisma/client.js';
import type { SqlConnection } from '../client/sql-connection.js';
import type { Db } from './db.js';

/**
 * Chunk bookkeeping of distributed runs. Postgres is the record of what a run still needs (Redis may lose
 * its queues); a chunk is done when one attempt's final marker and every batch it announces are ingested.
 * Callers serialise the work on one chunk with `lockRunChunk` inside a transaction.
 */

export interface NewRunChunk {
  chunkIndex: number;
  /** Resolved, scope-checked targets (no secrets). */
  targets: Prisma.InputJsonValue;
  hosts: number;
  probes: number;
}

export type RunChunkRecord = RunChunk;

/** Idempotent: re-planning the same run (a retried request) adds nothing twice. */
export async function createRunChunks(
  db: Db,
  runId: string,
  chunks: readonly NewRunChunk[],
): Promise<number> {
  if (chunks.length === 0) return 0;
  const { count } = await db.runChunk.createMany({
    data: chunks.map((c) => ({ runId, ...c })),
    skipDuplicates: true,
  });
  return count;
}

/**
 * Takes the chunk's row lock for the rest of the transaction (so the final marker and the last batch,
 * ingested by two consumers at once, cannot both miss the completion). Null when the chunk does not exist.
 * The ingest path's functions below run on a raw session inside one transaction with the COPY ingest.
 */
export async function lockRunChunk(
  tx: SqlConnection,
  runId: string,
  chunkIndex: number,
): Promise<{ done: boolean } | null> {
  const rows = await tx.query<{ done_at: Date | null }>(
    `SELECT "done_at" FROM "run_chunks" WHERE "run_id" = $1::uuid AND "chunk_index" = $2 FOR UPDATE`,
    [runId, chunkIndex],
  );
  const row = rows.rows[0];
  return row ? { done: row.done_at !== null } : null;
}

export interface ChunkBatchMark {
  runId: string;
  chunkIndex: number;
  attempt: string;
  /** -1 for the final marker. */
  seq: number;
  /** Final marker only. */
  batches?: number;
}

/** Records that a batch (or the final marker) was ingested; false if it already was (a redelivery). */
export async function recordChunkBatch(tx: SqlConnection, mark: ChunkBatchMark): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO "run_chunk_batches" ("run_id", "chunk_index", "attempt", "seq", "batches")
     VALUES ($1::uuid, $2, $3, $4, $5)
     ON CONFLICT ("run_id", "chunk_index", "attempt", "seq") DO NOTHING`,
    [mark.runId, mark.chunkIndex, mark.attempt, mark.seq, mark.batches ?? null],
  );
  return r.rowCount === 1;
}

/** True when the attempt's final marker is in and so are all the batches it announced. */
export async function isAttemptComplete(
  tx: SqlConnection,
  runId: string,
  chunkIndex: number,
  attempt: string,
): Promise<boolean> {
  const rows = await tx.query<{ complete: boolean }>(
    `SELECT f."batches" = (
       SELECT count(*) FROM "run_chunk_batches" b
        WHERE b."run_id" = f."run_id" AND b."chunk_index" = f."chunk_index" AND b."attempt" = f."attempt"
          AND b."seq" >= 0
     ) AS complete
     FROM "run_chunk_batches" f
     WHERE f."run_id" = $1::uuid AND f."chunk_index" = $2 AND f."attempt" = $3 AND f."seq" = -1`,
    [runId, chunkIndex, attempt],
  );
  return rows.rows[0]?.complete === true;
}

/** What an attempt's final marker reported; the latest final marker's report is kept. */
export async function recordChunkOutcome(
  tx: SqlConnection,
  runId: string,
  chunkIndex: number,
  outcome: { observations: number; failures: unknown; network?: NetworkQuality },
): Promise<void> {
  const n = outcome.network ?? NO_NETWORK_EVIDENCE;
  await tx.query(
    `UPDATE "run_chunks" SET "observations" = $3, "failures" = $4::jsonb,
            "retransmissions" = $5, "recovered" = $6, "undecided" = $7
      WHERE "run_id" = $1::uuid AND "chunk_index" = $2 AND "done_at" IS NULL`,
    [
      runId,
      chunkIndex,
      outcome.observations,
      JSON.stringify(outcome.failures),
      n.retransmissions,
      n.recovered,
      n.undecided,
    ],
  );
}

/**
 * Marks the chunk done (first completion wins), adds its network-quality report to the run's, and drops
 * its batch marks, which are no longer needed.
 */
export async function markChunkDone(
  tx: SqlConnection,
  runId: string,
  chunkIndex: number,
  at = new Date(),
): Promise<boolean> {
  const r = await tx.query(
    `WITH done AS (
       UPDATE "run_chunks" SET "done_at" = $3
        WHERE "run_id" = $1::uuid AND "chunk_index" = $2 AND "done_at" IS NULL
        RETURNING "retransmissions", "recovered", "undecided"
     )
     UPDATE "runs" SET "retransmissions" = "runs"."retransmissions" + done."retransmissions",
                       "recovered" = "runs"."recovered" + done."recovered",
                       "undecided" = "runs"."undecided" + done."undecided"
       FROM done WHERE "runs"."id" = $1::uuid`,
    [runId, chunkIndex, at.toISOString()],
  );
  if (r.rowCount !== 1) return false;
  await tx.query(`DELETE FROM "run_chunk_batches" WHERE "run_id" = $1::uuid AND "chunk_index" = $2`, [
    runId,
    chunkIndex,
  ]);
  return true;
}

/** The run's status under its row lock, so two chunks completing at once agree on which one was the last. */
export async function lockRunRow(tx: SqlConnection, runId: string): Promise<string | null> {
  const r = await tx.query<{ status: string }>(
    `SELECT "status" FROM "runs" WHERE "id" = $1::uuid FOR UPDATE`,
    [runId],
  );
  return r.rows[0]?.status ?? null;
}

export async function countOpenChunks(tx: SqlConnection, runId: string): Promise<number> {
  const r = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "run_chunks" WHERE "run_id" = $1::uuid AND "done_at" IS NULL`,
    [runId],
  );
  return r.rows[0]?.n ?? 0;
}

export async function openChunks(db: Db, runId: string): Promise<RunChunkRecord[]> {
  return db.runChunk.findMany({ where: { runId, doneAt: null }, orderBy: { chunkIndex: 'asc' } });
}

export async function getRunChunk(db: Db, runId: string, chunkIndex: number): Promise<RunChunkRecord | null> {
  return db.runChunk.findUnique({ where: { runId_chunkIndex: { runId, chunkIndex } } });
}

export interface ChunkProgress {
  chunks: number;
  doneChunks: number;
}

export async function chunkProgress(db: Db, runId: string): Promise<ChunkProgress> {
  const [chunks, doneChunks] = await Promise.all([
    db.runChunk.count({ where: { runId } }),
    db.runChunk.count({ where: { runId, doneAt: { not: null } } }),
  ]);
  return { chunks, doneChunks };
}

/**
 * The distributed runs the controller's reconciler looks after: running runs that have chunks, and running
 * runs the controller started (one whose plan left no host to probe has no chunk). Embedded runs (`cli`)
 * sharing the database have neither.
 */
export async function runningDistributedRunIds(db: Db): Promise<string[]> {
  const runs = await db.run.findMany({
    where: { status: 'running', OR: [{ chunks: { some: {} } }, { trigger: { not: 'cli' } }] },
    select: { id: true },
    orderBy: { number: 'asc' },
  });
  return runs.map((r) => r.id);
}
