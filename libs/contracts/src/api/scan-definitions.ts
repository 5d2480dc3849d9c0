import { z } from 'zod';

import { TagSchema } from '../inventory.js';
import { TimestampSchema } from './common.js';

const ScanSelectorSchema = z.strictObject({
  /** Hosts carrying any of these tags. */
  tags: z.array(TagSchema).min(1).optional(),
  /** Inventory entries by their address text. */
  targets: z.array(z.string().min(1)).min(1).optional(),
});

const fields = {
  inventoryId: z.uuid().nullable().optional(),
  selector: ScanSelectorSchema.nullable().optional(),
  tcpPorts: z.string().min(1).nullable().optional(),
  udpPorts: z.string().min(1).nullable().optional(),
  serviceGroups: z.array(z.string().min(1)).optional(),
  checks: z.array(z.string().min(1)).optional(),
  credentialIds: z.array(z.uuid()).optional(),
  /** A built-in policy (`baseline`) or a stored policy's name. */
  policy: z.string().min(1).optional(),
  policyVersion: z.number().int().min(1).nullable().optional(),
  /** Cron (5 or 6 fields), validated by the controller; null: manual runs only. */
  schedule: z.string().min(1).nullable().optional(),
  /** IANA time zone the schedule is read in. */
  timezone: z.string().min(1).optional(),
  enabled: z.boolean().optional(),
};

export const ScanDefinitionCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  ...fields,
});

/** PATCH: any subset of the fields. */
export const ScanDefinitionUpdateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  ...fields,
});

export const ScanDefinitionResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  inventoryId: z.string().nullable(),
  selector: ScanSelectorSchema.nullable(),
  tcpPorts: z.string().nullable(),
  udpPorts: z.string().nullable(),
  serviceGroups: z.array(z.string()),
  checks: z.array(z.string()),
  credentialIds: z.array(z.string()),
  policy: z.string(),
  policyVersion: z.number().int().nullable(),
  schedule: z.string().nullable(),
  timezone: z.string(),
  enabled: z.boolean(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

/** `GET /scan-definitions/:id/schedule`: the schedule and its next fire times in its time zone. */
export const ScheduleViewSchema = z.object({
  schedule: z.string().nullable(),
  timezone: z.string(),
  enabled: z.boolean(),
  /** Next fire times (UTC ISO), empty when the definition has no schedule or is disabled. */
  next: z.array(TimestampSchema),
});

export const ScheduleQuerySchema = z.strictObject({
  count: z.coerce.number().int().min(1).max(50).default(5),
});
