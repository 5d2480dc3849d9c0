import { z } from 'zod';

import { checkSnmpV3Keys, SNMP_V3_KEYS_SHAPE, SnmpV3UserNameSchema } from '../snmp-v3.js';
import { TimestampSchema } from './common.js';

export const CREDENTIAL_KINDS = ['snmp-community', 'ldap-bind', 'snmp-v3-user'] as const;
export type CredentialKindName = (typeof CREDENTIAL_KINDS)[number];

const CredentialNameSchema = z.string().trim().min(1).max(200);

/** The only place a secret enters the API; no response schema has a secret field. */
export const CredentialCreateSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.enum(['snmp-community', 'ldap-bind']),
    name: CredentialNameSchema,
    secret: z.string().min(1).max(4096),
    /** Non-secret identity, e.g. an LDAP bind DN. */
    principal: z.string().min(1).max(1000).optional(),
  }),
  /**
   * An SNMPv3 USM user: the user name becomes the credential's principal (shown), the protocols and
   * passphrases its sealed secret (never shown).
   */
  z
    .strictObject({
      kind: z.literal('snmp-v3-user'),
      name: CredentialNameSchema,
      user: SnmpV3UserNameSchema,
      ...SNMP_V3_KEYS_SHAPE,
    })
    .superRefine(checkSnmpV3Keys),
]);
export type CredentialCreate = z.infer<typeof CredentialCreateSchema>;

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
