import type { Prisma, ScanDefinition } from '../generated/prisma/client.js';
import type { Db } from './db.js';

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
