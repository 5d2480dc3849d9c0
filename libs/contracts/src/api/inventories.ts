import { z } from 'zod';

import { InventorySchema } from '../inventory.js';
import { TimestampSchema } from './common.js';

/** The API's inventory: a name plus the same document as the CLI's inventory files (InventorySchema). */
export const InventoryUpsertSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  owner: z.string().min(1).optional(),
  description: z.string().max(2000).optional(),
  document: InventorySchema,
});

/** `POST /inventories/import?format=yaml|csv&name=...`: the body is the file's text. */
export const InventoryImportQuerySchema = z.strictObject({
  format: z.enum(['yaml', 'csv']),
  /** Defaults to the YAML document's `name`; required for CSV. */
  name: z.string().trim().min(1).max(200).optional(),
  /** CSV only (a CSV has hosts, not ports): the inventory's port specs and service groups. */
  tcp: z.string().optional(),
  udp: z.string().optional(),
  groups: z.string().optional(),
  /** Replace the inventory of that name if it exists instead of failing with 409. */
  replace: z.enum(['true', 'false']).optional(),
});

export const InventoryResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  owner: z.string().nullable(),
  description: z.string().nullable(),
  hostCount: z.number().int(),
  document: InventorySchema.nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
