import type { InventoryHost } from '@fleetqry/contracts';

import { Prisma, type ScanDefinition } from '../generated/prisma/client.js';
import type { Db } from './db.js';
import { getInventory, listInventoryHosts, type InventoryRecord } from './inventories.repository.js';

/**
 * The scan definition a sweep belongs to, created on first use. The CLI names one per inventory file
 * (e.g. `cli:examples/inventory.yaml`) so consecutive sweeps of it have a previous run to diff against.
 */
export async function ensureScanDefinition(
  db: Db,
  name: string,
  defaults: Omit<Prisma.ScanDefinitionUncheckedCreateInput, 'name'> = {},
): Promise<ScanDefinition> {
  return db.scanDefinition.upsert({ where: { name }, create: { ...defaults, name }, update: {} });
}

export async function getScanDefinition(db: Db, id: string): Promise<ScanDefinition | null> {
  return db.scanDefinition.findUnique({ where: { id } });
}

/** The definition's `selector` column: which of the inventory's hosts it scans (absent: all of them). */
interface ScanSelector {
  /** Hosts carrying any of these tags. */
  tags?: string[];
  /** Hosts whose inventory address is one of these (exact text, as in the inventory). */
  targets?: string[];
}

export interface ScanDefinitionWithInventory {
  definition: ScanDefinition;
  /** Null when the definition has no inventory (or it was deleted: the foreign key is SET NULL). */
  inventory: InventoryRecord | null;
  /** The inventory's hosts narrowed by the definition's selector; empty without an inventory. */
  hosts: InventoryHost[];
}

/** Everything the planner needs for a definition, in one call (the dispatcher's entry point). */
export async function getScanDefinitionWithInventory(
  db: Db,
  id: string,
): Promise<ScanDefinitionWithInventory | null> {
  const definition = await db.scanDefinition.findUnique({ where: { id } });
  if (!definition) return null;
  const inventory = definition.inventoryId ? await getInventory(db, definition.inventoryId) : null;
  if (!inventory) return { definition, inventory: null, hosts: [] };
  const selector = (definition.selector ?? {}) as ScanSelector;
  const hosts = await listInventoryHosts(db, inventory.id, {
    ...(selector.tags?.length ? { tags: selector.tags } : {}),
    ...(selector.targets?.length ? { addresses: selector.targets } : {}),
  });
  return { definition, inventory, hosts };
}

/** Enabled definitions with a cron schedule: what the controller upserts as BullMQ job schedulers at start. */
export async function listScheduledScanDefinitions(db: Db): Promise<ScanDefinition[]> {
  return db.scanDefinition.findMany({
    where: { enabled: true, schedule: { not: null } },
    orderBy: { name: 'asc' },
  });
}

export type ScanDefinitionInput = Omit<
  Prisma.ScanDefinitionUncheckedCreateInput,
  'id' | 'createdAt' | 'updatedAt' | 'runs' | 'selector'
> & { selector?: ScanSelector | null };

/** A JSON column is cleared with DbNull, not null (Prisma tells SQL NULL from JSON null). */
function toData<T extends Partial<ScanDefinitionInput>>(input: T) {
  const { selector, ...rest } = input;
  return {
    ...rest,
    ...(selector === undefined
      ? {}
      : { selector: selector === null ? Prisma.DbNull : (selector as Prisma.InputJsonValue) }),
  };
}

export async function createScanDefinition(db: Db, input: ScanDefinitionInput): Promise<ScanDefinition> {
  return db.scanDefinition.create({ data: toData(input) });
}

/** Null if it does not exist. */
export async function updateScanDefinition(
  db: Db,
  id: string,
  input: Partial<ScanDefinitionInput>,
): Promise<ScanDefinition | null> {
  const { count } = await db.scanDefinition.updateMany({
    where: { id },
    data: toData(input),
  });
  return count === 1 ? db.scanDefinition.findUnique({ where: { id } }) : null;
}

export async function listScanDefinitions(
  db: Db,
  page: { limit?: number; offset?: number } = {},
): Promise<{ items: ScanDefinition[]; total: number }> {
  const [items, total] = await Promise.all([
    db.scanDefinition.findMany({ orderBy: { name: 'asc' }, take: page.limit ?? 100, skip: page.offset ?? 0 }),
    db.scanDefinition.count(),
  ]);
  return { items, total };
}

/** Its runs keep existing without a definition (SET NULL), so history survives. */
export async function deleteScanDefinition(db: Db, id: string): Promise<boolean> {
  const { count } = await db.scanDefinition.deleteMany({ where: { id } });
  return count === 1;
}
