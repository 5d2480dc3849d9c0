import { z } from 'zod';

import { TimestampSchema } from './common.js';

/** A policy upload: the YAML text is validated by libs/policy (errors name the rule and field). */
export const PolicyUploadSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/i, 'policy names are 1-100 letters, digits, . _ -'),
  yaml: z.string().min(1).max(1_000_000),
});

export const PolicyResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  yaml: z.string(),
  createdBy: z.string().nullable(),
  createdAt: TimestampSchema,
});
