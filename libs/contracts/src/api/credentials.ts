import { z } from 'zod';

import { TimestampSchema } from './common.js';

export const CREDENTIAL_KINDS = ['snmp-community', 'ldap-bind'] as const;

/** The only place a secret enters the API; no response schema has a secret field. */
export const CredentialCreateSchema = z.strictObject({
  kind: z.enum(CREDENTIAL_KINDS),
  name: z.string().trim().min(1).max(200),
  secret: z.string().min(1).max(4096),
  /** Non-secret identity, e.g. an LDAP bind DN. */
  principal: z.string().min(1).max(1000).optional(),
});

export const CredentialResponseSchema = z.object({
  id: z.string(),
  kind: z.enum(CREDENTIAL_KINDS),
  name: z.string(),
  principal: z.string().nullable(),
  keyId: z.string(),
  createdBy: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

/** Internal, worker-only: `GET /internal/credentials/:id`. */
export const CredentialSecretSchema = z.object({ secret: z.string() });
