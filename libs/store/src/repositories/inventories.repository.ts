import type { Inventory as InventoryDocument, InventoryHost } from '@fleetqry/contracts';

import type { Host, Inventory, Prisma } from '../generated/prisma/client.js';
import { type Db, inTransaction } from './db.js';

/**
 * An inventory as the API and the dispatcher see it. The uploaded document (the same InventorySchema as the
 * CLI's files) is the source of truth; the hosts table is its queryable projection (tags, owners), rebuilt
 * from the document on every write so the two never disagree.
 */
export interface InventoryRecord {
  id: string;
  name: string;
  owner: string | null;
  description: string | null;
  document: InventoryDocument | null;
  hostCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface InventoryInput {
  name: string;
  owner?: string | null;
  description?: string | null;
  /** Already validated with InventorySchema by the caller (the store does not re-parse). */
  document: InventoryDocument;
}

/** Every target of a document as a host record; plain strings become untagged hosts. */
export function documentHosts(document: InventoryDocument): InventoryHost[] {
  return document.targets.map((t) => (typeof t === 'string' ? { address: t, tags: [] } : t));
}

function hostRows(inventoryId: string, document: InventoryDocument): Prisma.HostCreateManyInput[] {
  return documentHosts(document).map((h) => ({
    inventoryId,
    address: h.address,
    hostname: h.name ?? null,
    tags: h.tags,
    owner: h.owner ?? document.owner ?? null,
    excludePorts: h.excludePorts ?? null,
  }));
}

function toRecord(row: Inventory & { _count?: { hosts: number } }): InventoryRecord {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    description: row.description,
    document: (row.document ?? null) as InventoryDocument | null,
    hostCount: row._count?.hosts ?? 0,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const withCount = { _count: { select: { hosts: true } } } as const;

/** The row and its hosts appear together (one transaction). */
export function createInventory(db: Db, input: InventoryInput): Promise<InventoryRecord> {
  return inTransaction(db, async (tx) => {
    const row = await tx.inventory.create({
      data: {
        name: input.name,
        owner: input.owner ?? input.document.owner ?? null,
        description: input.description ?? null,
        document: input.document,
      },
    });
    await tx.host.createMany({ data: hostRows(row.id, input.document) });
    return toRecord(await tx.inventory.findUniqueOrThrow({ where: { id: row.id }, include: withCount }));
  });
}

/** Replaces the document and rebuilds the hosts (one transaction); null if the inventory does not exist. */
export function replaceInventory(db: Db, id: string, input: InventoryInput): Promise<InventoryRecord | null> {
  return inTransaction(db, async (tx) => {
    const { count } = await tx.inventory.updateMany({
      where: { id },
      data: {
        name: input.name,
        owner: input.owner ?? input.document.owner ?? null,
        description: input.description ?? null,
        document: input.document,
      },
    });
    if (count === 0) return null;
    await tx.host.deleteMany({ where: { inventoryId: id } });
    await tx.host.createMany({ data: hostRows(id, input.document) });
    return getInventory(tx, id);
  });
}

export async function getInventory(db: Db, id: string): Promise<InventoryRecord | null> {
  const row = await db.inventory.findUnique({ where: { id }, include: withCount });
  return row ? toRecord(row) : null;
}

export async function getInventoryByName(db: Db, name: string): Promise<InventoryRecord | null> {
  const row = await db.inventory.findUnique({ where: { name }, include: withCount });
  return row ? toRecord(row) : null;
}

export async function listInventories(
  db: Db,
  page: { limit?: number; offset?: number } = {},
): Promise<{ items: InventoryRecord[]; total: number }> {
  const [rows, total] = await Promise.all([
    db.inventory.findMany({
      include: withCount,
      orderBy: { name: 'asc' },
      take: page.limit ?? 100,
      skip: page.offset ?? 0,
    }),
    db.inventory.count(),
  ]);
  return { items: rows.map(toRecord), total };
}

/** Hosts cascade with the inventory; scan definitions keep existing with no inventory (SET NULL). */
export async function deleteInventory(db: Db, id: string): Promise<boolean> {
  const { count } = await db.inventory.deleteMany({ where: { id } });
  return count === 1;
}

export interface HostFilter {
  /** Hosts carrying any of these tags. */
  tags?: string[];
  /** Hosts whose inventory address is one of these (exact text, as written in the inventory). */
  addresses?: string[];
}

/** An inventory's hosts as contract host records (groups come from the document: the table has none). */
export async function listInventoryHosts(
  db: Db,
  inventoryId: string,
  filter: HostFilter = {},
): Promise<InventoryHost[]> {
  const [rows, inv] = await Promise.all([
    db.host.findMany({
      where: {
        inventoryId,
        ...(filter.tags?.length ? { tags: { hasSome: filter.tags } } : {}),
        ...(filter.addresses?.length ? { address: { in: filter.addresses } } : {}),
      },
      orderBy: { address: 'asc' },
    }),
    db.inventory.findUnique({ where: { id: inventoryId }, select: { document: true } }),
  ]);
  const groups = new Map<string, string[]>();
  const doc = (inv?.document ?? null) as InventoryDocument | null;
  for (const h of doc ? documentHosts(doc) : []) if (h.groups) groups.set(h.address, h.groups);
  return rows.map((r) => toContractHost(r, groups.get(r.address)));
}

function toContractHost(row: Host, groups: string[] | undefined): InventoryHost {
  return {
    address: row.address,
    ...(row.hostname ? { name: row.hostname } : {}),
    tags: row.tags,
    ...(row.owner ? { owner: row.owner } : {}),
    ...(groups ? { groups } : {}),
    ...(row.excludePorts ? { excludePorts: row.excludePorts } : {}),
  };
}
