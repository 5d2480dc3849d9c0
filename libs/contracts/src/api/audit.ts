import { z } from 'zod';

import { TimestampSchema } from './common.js';

export const AuditQuerySchema = z.strictObject({
  actor: z.string().min(1).optional(),
  outcome: z.enum(['allowed', 'denied']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const AuditEntrySchema = z.object({
  id: z.string(),
  at: TimestampSchema,
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.enum(['allowed', 'denied']),
  ip: z.string().nullable(),
  details: z.unknown().nullable(),
});
