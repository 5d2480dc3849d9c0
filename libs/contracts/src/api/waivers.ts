import { z } from 'zod';

import { TimestampSchema } from './common.js';

/**
 * The same scoping rule as libs/policy's waiver files: one rule, narrowed to a finding key, an address or a
 * CIDR (a waiver for the whole fleet is a policy change, not a waiver). The controller checks address/CIDR.
 */
export const WaiverCreateSchema = z
  .strictObject({
    rule: z.string().min(1),
    key: z.string().min(1).optional(),
    address: z.string().min(1).optional(),
    cidr: z.string().min(1).optional(),
    owner: z.string().min(1),
    reason: z.string().min(1).max(2000),
    expiresAt: z.iso.datetime({
      offset: true,
      error: 'expected an ISO 8601 date-time, e.g. 2026-12-31T23:59:59Z',
    }),
  })
  .refine((w) => w.key !== undefined || w.address !== undefined || w.cidr !== undefined, {
    message: 'scope the waiver with key, address or cidr',
    path: ['key'],
  });

export const WaiverResponseSchema = z.object({
  id: z.string(),
  rule: z.string().nullable(),
  hostPattern: z.string().nullable(),
  findingKey: z.string().nullable(),
  owner: z.string(),
  reason: z.string(),
  expiresAt: TimestampSchema,
  createdBy: z.string(),
  createdAt: TimestampSchema,
  revokedAt: TimestampSchema.nullable(),
});

export const WaiverListQuerySchema = z.strictObject({
  active: z.enum(['true', 'false']).optional(),
});
