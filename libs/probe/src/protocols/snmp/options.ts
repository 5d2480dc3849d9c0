import { SnmpV3UserSchema, type SnmpV3User } from '@fleetqry/contracts';
import { z } from 'zod';

import { validateCommunities } from './community.js';

/**
 * The SNMP plugin's options: its namespace (`snmp`) of the scan's protocol options. Secrets (communities,
 * v3 keys): never in results, errors, logs or job payloads, and no other plugin ever sees them.
 */
export interface SnmpOptions {
  /** SNMP communities to try, in order. */
  communities: readonly string[];
  /** Send an SNMPv3 engine-discovery request in the same burst as the community sweep (no extra wait). */
  v3Discovery: boolean;
  /** SNMPv3 users (with their keys) for an authenticated get of the system group; `credential` labels results. */
  v3Users: readonly (SnmpV3User & { credential?: string })[];
}

/** PortQry tries `public`. */
export const DEFAULT_SNMP_OPTIONS: SnmpOptions = { communities: ['public'], v3Discovery: true, v3Users: [] };

/** Each v3 user sends two gets per agent; cap the fan-out of one query as for communities. */
const MAX_V3_USERS = 16;

/** User input for the namespace: any field, validated, over the defaults (messages never quote a secret). */
export const SnmpOptionsSchema = z.strictObject({
  communities: z
    .array(z.string())
    .superRefine((c, ctx) => {
      const problem = validateCommunities(c);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default([...DEFAULT_SNMP_OPTIONS.communities]),
  v3Discovery: z.boolean().default(DEFAULT_SNMP_OPTIONS.v3Discovery),
  v3Users: z
    .array(SnmpV3UserSchema)
    .max(MAX_V3_USERS, `at most ${MAX_V3_USERS} SNMPv3 users (each costs two gets per agent)`)
    .default([]),
});
