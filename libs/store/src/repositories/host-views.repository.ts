import type { HostView as PolicyHostView, LocalSocket } from '@fleetqry/contracts';

import type { HostView as HostViewRow, Prisma } from '../generated/prisma/client.js';
import type { SqlConnection } from '../client/sql-connection.js';
import { type Db, isUniqueViolation } from './db.js';

/** A stored host view with its JSON columns typed (they are written only through {@link saveHostView}). */
export interface HostViewRecord {
  id: string;
  hostname: string;
  addresses: string[];
  takenAt: Date;
  receivedAt: Date;
  reportedBy: string;
  listenerCount: number;
  sockets: LocalSocket[];
  problems: string[];
  agentVersion: string | null;
}

export interface SaveHostViewInput {
  hostname: string;
  /** Canonical address text (the caller canonicalises: libs/policy's parseAddress). */
  addresses: string[];
  takenAt: Date;
  reportedBy: string;
  sockets: LocalSocket[];
  problems: string[];
  agentVersion?: string;
  receivedAt?: Date;
}

function toRecord(row: HostViewRow): HostViewRecord {
  return {
    ...row,
    sockets: row.sockets as unknown as LocalSocket[],
    problems: row.problems as unknown as string[],
  };
}

/**
 * Keeps the latest view per host name: a push replaces the stored view unless the stored one was taken later
 * (an agent's delayed retry must not overwrite a newer view). Returns the view now stored and whether this
 * push is it.
 */
export async function saveHostView(
  db: Db,
  input: SaveHostViewInput,
  attempts = 3,
): Promise<{ view: HostViewRecord; stored: boolean }> {
  const data = {
    addresses: input.addresses,
    takenAt: input.takenAt,
    receivedAt: input.receivedAt ?? new Date(),
    reportedBy: input.reportedBy,
    listenerCount: input.sockets.length,
    sockets: input.sockets as unknown as Prisma.InputJsonValue,
    problems: input.problems,
    agentVersion: input.agentVersion ?? null,
  };
  for (let i = 0; ; i++) {
    const { count } = await db.hostView.updateMany({
      where: { hostname: input.hostname, takenAt: { lte: input.takenAt } },
      data,
    });
    if (count === 0) {
      const existing = await db.hostView.findUnique({ where: { hostname: input.hostname } });
      if (existing) return { view: toRecord(existing), stored: false };
      try {
        return {
          view: toRecord(await db.hostView.create({ data: { hostname: input.hostname, ...data } })),
          stored: true,
        };
      } catch (error) {
        // A concurrent first push of the same host won: compare against it.
        if (!isUniqueViolation(error) || i + 1 >= attempts) throw error;
        continue;
      }
    }
    const view = await db.hostView.findUniqueOrThrow({ where: { hostname: input.hostname } });
    return { view: toRecord(view), stored: true };
  }
}

export async function getHostView(db: Db, id: string): Promise<HostViewRecord | null> {
  const row = await db.hostView.findUnique({ where: { id } });
  return row ? toRecord(row) : null;
}

/** Summaries (no sockets), by host name; `address` = views claiming that (canonical) address. */
export async function listHostViews(
  db: Db,
  query: { address?: string; hostname?: string; limit: number; offset: number },
): Promise<{ items: Omit<HostViewRecord, 'sockets'>[]; total: number }> {
  const where: Prisma.HostViewWhereInput = {
    ...(query.address !== undefined ? { addresses: { has: query.address } } : {}),
    ...(query.hostname !== undefined ? { hostname: query.hostname } : {}),
  };
  const [rows, total] = await Promise.all([
    db.hostView.findMany({
      where,
      omit: { sockets: true },
      orderBy: { hostname: 'asc' },
      take: query.limit,
      skip: query.offset,
    }),
    db.hostView.count({ where }),
  ]);
  return { items: rows.map((r) => ({ ...r, problems: r.problems as unknown as string[] })), total };
}

/**
 * The views for libs/policy's `evaluate({ hostViews })` of one slice of a run's hosts ([first, last] in address
 * order), keyed by (canonical) address: the slice's addresses stay in SQL (the addresses GIN index finds the
 * views), only the views come back, each keyed by all its addresses (lookups are by the slice's hosts, so the
 * others are never asked for). When several hosts claim one address (every host has 127.0.0.1), the most
 * recently taken view wins.
 */
export async function runHostViewsBetween(
  conn: SqlConnection,
  runId: string,
  first: string,
  last: string,
): Promise<Map<string, PolicyHostView>> {
  const r = await conn.query<{
    hostname: string;
    addresses: string[];
    taken_at: Date;
    sockets: LocalSocket[];
  }>(
    `SELECT "hostname", "addresses", "taken_at", "sockets" FROM "host_views"
      WHERE "addresses" && ARRAY(SELECT DISTINCT "address" FROM "run_coverage"
                                  WHERE "run_id" = $1::uuid AND "address" BETWEEN $2 AND $3)
      ORDER BY "taken_at"`,
    [runId, first, last],
  );
  const out = new Map<string, PolicyHostView>();
  for (const row of r.rows) {
    const view = {
      hostname: row.hostname,
      takenAt: new Date(row.taken_at).toISOString(),
      sockets: row.sockets,
    };
    for (const a of row.addresses) out.set(a, view);
  }
  return out;
}
