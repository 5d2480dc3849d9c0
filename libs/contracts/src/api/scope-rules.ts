import { z } from 'zod';

import { TimestampSchema } from './common.js';

export const ScopeRuleCreateSchema = z.strictObject({
  action: z.enum(['allow', 'deny']),
  /** An address or CIDR; parsed strictly by the controller (no octal/hex/short forms, no /33). */
  cidr: z.string().trim().min(1).max(64),
  comment: z.string().max(500).optional(),
});

export const ScopeRuleResponseSchema = z.object({
  id: z.string(),
  action: z.enum(['allow', 'deny']),
  cidr: z.string(),
  comment: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: TimestampSchema,
});

/** The scope the planner enforces: the environment's lists narrowed/extended by the stored rules. */
export const EffectiveScopeSchema = z.object({
  allow: z.array(z.string()),
  deny: z.array(z.string()),
});
