import { z } from 'zod';

import { SnmpV3UserSchema } from './snmp-v3.js';

/**
 * Inventory files (YAML) and the API's inventory documents: which hosts a sweep covers, with tags and
 * owners the policy and reports use. The minimal form is a list of target strings plus ports.
 */
export const TagSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, 'tags are 1-63 letters, digits, . _ -');

const InventoryHostSchema = z.strictObject({
  /** Address, CIDR, range or hostname, as on the command line. */
  address: z.string().min(1),
  name: z.string().min(1).optional(),
  tags: z.array(TagSchema).default([]),
  owner: z.string().min(1).optional(),
  /** Host groups a policy's `appliesTo.groups` can select. */
  groups: z.array(z.string().min(1)).optional(),
  /** Ports never probed on this host (e.g. a fragile device's management port). */
  excludePorts: z.string().optional(),
});
export type InventoryHost = z.infer<typeof InventoryHostSchema>;

const InventoryTargetSchema = z.union([z.string().min(1), InventoryHostSchema]);

const InventoryPortsSchema = z.strictObject({
  tcp: z.string().optional(),
  udp: z.string().optional(),
  /** Service groups (built-in or from serviceGroups). */
  groups: z.array(z.string()).optional(),
  exclude: z.string().optional(),
});

export const InventorySnmpSchema = z.strictObject({
  /** Literal communities (CLI files); the API stores them as credentials instead. */
  communities: z.array(z.string()).optional(),
  /** SNMPv3 users with their keys (CLI files, like communities); the API stores them as credentials. */
  v3Users: z.array(SnmpV3UserSchema).max(16).optional(),
  /** Ids of stored credentials (API: communities and v3 users); never the secret itself. */
  credentials: z.array(z.string()).optional(),
});

/**
 * The inventory fields holding literal SNMP secrets (`communities`, `v3Users`): fine in a CLI file, refused
 * by the controller, which stores secrets only as credentials.
 */
export function literalSnmpSecrets(snmp: z.infer<typeof InventorySnmpSchema> | undefined): string[] {
  return (['communities', 'v3Users'] as const).filter((k) => (snmp?.[k]?.length ?? 0) > 0);
}

export const InventorySchema = z.strictObject({
  version: z.literal(1).default(1),
  name: z.string().min(1).optional(),
  owner: z.string().min(1).optional(),
  /** Other inventory files whose targets are added to this one (relative to this file). */
  imports: z.array(z.string()).optional(),
  targets: z.array(InventoryTargetSchema).default([]),
  ports: InventoryPortsSchema,
  snmp: InventorySnmpSchema.optional(),
  /** Protocol queries to run; default all. */
  checks: z.array(z.string()).optional(),
  /** Tags applied to every host of a CIDR/range/address, for tagging whole blocks. */
  tags: z.record(z.string(), z.array(TagSchema)).optional(),
});
export type Inventory = z.infer<typeof InventorySchema>;
export type InventoryInput = z.input<typeof InventorySchema>;
