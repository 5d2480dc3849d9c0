import type { ServiceGroup } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/** User-defined port groups (the built-in ones live in libs/probe); ports in the CLI's port syntax. */
export interface ServiceGroupInput {
  name: string;
  description?: string | null;
  tcp?: string | null;
  udp?: string | null;
}

export async function createServiceGroup(db: Db, input: ServiceGroupInput): Promise<ServiceGroup> {
  return db.serviceGroup.create({
    data: {
      name: input.name,
      description: input.description ?? null,
      tcp: input.tcp ?? null,
      udp: input.udp ?? null,
    },
  });
}

/** Null if it does not exist. */
export async function updateServiceGroup(
  db: Db,
  id: string,
  input: ServiceGroupInput,
): Promise<ServiceGroup | null> {
  const { count } = await db.serviceGroup.updateMany({
    where: { id },
    data: {
      name: input.name,
      description: input.description ?? null,
      tcp: input.tcp ?? null,
      udp: input.udp ?? null,
    },
  });
  return count === 1 ? db.serviceGroup.findUnique({ where: { id } }) : null;
}

export async function listServiceGroups(db: Db): Promise<ServiceGroup[]> {
  return db.serviceGroup.findMany({ orderBy: { name: 'asc' } });
}

export async function getServiceGroup(db: Db, id: string): Promise<ServiceGroup | null> {
  return db.serviceGroup.findUnique({ where: { id } });
}

export async function deleteServiceGroup(db: Db, id: string): Promise<boolean> {
  const { count } = await db.serviceGroup.deleteMany({ where: { id } });
  return count === 1;
}
