import { z } from 'zod';

import { TimestampSchema } from './common.js';

export const API_ROLES = ['viewer', 'operator', 'admin'] as const;
const ApiRoleSchema = z.enum(API_ROLES);

export const CreateTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: ApiRoleSchema,
});
export type CreateTokenRequest = z.infer<typeof CreateTokenSchema>;

/** A token as lists show it: never the token or its hash, only the first characters to tell them apart. */
export const TokenInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: ApiRoleSchema,
  prefix: z.string(),
  createdBy: z.string().nullable(),
  createdAt: TimestampSchema,
  lastUsedAt: TimestampSchema.nullable(),
  revokedAt: TimestampSchema.nullable(),
});

/** The one response that carries the token; it cannot be shown again. */
export const CreatedTokenSchema = z.object({ token: z.string(), info: TokenInfoSchema });

/** `GET /tokens/me`: the caller's own token. */
export const PrincipalSchema = z.object({
  tokenId: z.string(),
  name: z.string(),
  role: ApiRoleSchema,
  prefix: z.string(),
});
