import { z } from 'zod';

/**
 * SNMPv3 USM users (RFC 3414): what a v3 credential holds and what a probe of one reports. The user
 * name is an identity (it travels in clear in every v3 message); the keys are secrets and appear only
 * in `SnmpV3UserSchema` (an inventory file, the API's create body, the sealed credential).
 */

/** RFC 3414 (md5, sha = SHA-1) and RFC 7860 (the SHA-2 family). */
const SNMP_V3_AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
/** RFC 3414 DES, RFC 3826 AES-128, and the two AES-256 key extensions (Blumenthal, Reeder). */
const SNMP_V3_PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const;
const SNMP_V3_LEVELS = ['noAuthNoPriv', 'authNoPriv', 'authPriv'] as const;

export const SnmpV3AuthProtocolSchema = z.enum(SNMP_V3_AUTH_PROTOCOLS);
export const SnmpV3PrivProtocolSchema = z.enum(SNMP_V3_PRIV_PROTOCOLS);
export const SnmpV3LevelSchema = z.enum(SNMP_V3_LEVELS);
export type SnmpV3AuthProtocol = z.infer<typeof SnmpV3AuthProtocolSchema>;
export type SnmpV3PrivProtocol = z.infer<typeof SnmpV3PrivProtocolSchema>;
export type SnmpV3Level = z.infer<typeof SnmpV3LevelSchema>;

// RFC 3414 §11.2: passphrases shorter than 8 octets are refused (Net-SNMP does too).
const passphrase = z.string().min(8, 'must be at least 8 characters').max(256);

/** The fields of SnmpV3KeysSchema, for schemas that carry a v3 user among other fields. */
export const SNMP_V3_KEYS_SHAPE = {
  authProtocol: SnmpV3AuthProtocolSchema.optional(),
  authKey: passphrase.optional(),
  privProtocol: SnmpV3PrivProtocolSchema.optional(),
  privKey: passphrase.optional(),
};

/** SnmpV3KeysSchema's cross-field rules, for schemas built on SNMP_V3_KEYS_SHAPE. */
export function checkSnmpV3Keys(
  k: { authProtocol?: unknown; authKey?: unknown; privProtocol?: unknown; privKey?: unknown },
  ctx: z.RefinementCtx,
): void {
  // The issues name the field, never a key.
  if ((k.authProtocol === undefined) !== (k.authKey === undefined))
    ctx.addIssue({
      code: 'custom',
      path: [k.authProtocol === undefined ? 'authProtocol' : 'authKey'],
      message: 'authProtocol and authKey go together',
    });
  if ((k.privProtocol === undefined) !== (k.privKey === undefined))
    ctx.addIssue({
      code: 'custom',
      path: [k.privProtocol === undefined ? 'privProtocol' : 'privKey'],
      message: 'privProtocol and privKey go together',
    });
  if (k.privProtocol !== undefined && k.authProtocol === undefined)
    ctx.addIssue({ code: 'custom', path: ['authProtocol'], message: 'privacy needs authentication' });
}

/** The secret half of a v3 user: protocols and passphrases (sealed as one value in a credential). */
export const SnmpV3KeysSchema = z.strictObject(SNMP_V3_KEYS_SHAPE).superRefine(checkSnmpV3Keys);
export type SnmpV3Keys = z.infer<typeof SnmpV3KeysSchema>;

/** SnmpAdminString user names are 1..32 octets; no control characters (they end up in reports). */
export const SnmpV3UserNameSchema = z
  .string()
  .min(1)
  .max(32)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f-\u009f]+$/, 'must not contain control characters');

/** One v3 user to try: an inventory file's `snmp.v3Users` entry, or a credential opened for a probe. */
export const SnmpV3UserSchema = z
  .strictObject({ user: SnmpV3UserNameSchema, ...SNMP_V3_KEYS_SHAPE })
  .superRefine(checkSnmpV3Keys);
export type SnmpV3User = z.infer<typeof SnmpV3UserSchema>;

export function snmpV3Level(k: Pick<SnmpV3Keys, 'authProtocol' | 'privProtocol'>): SnmpV3Level {
  if (k.privProtocol !== undefined) return 'authPriv';
  return k.authProtocol !== undefined ? 'authNoPriv' : 'noAuthNoPriv';
}

/** How an agent treated an authenticated get of the system group (RFC 3414 §3.2 report counters). */
const SNMP_V3_OUTCOMES = [
  /** A Response with values: the user, its keys and its level are accepted. */
  'accepted',
  /** A Response with error-status authorizationError: authenticated, but the view excludes the system group. */
  'authorization-error',
  'unknown-user',
  'wrong-digest',
  'unsupported-security-level',
  'not-in-time-window',
  'decryption-error',
  'no-response',
  'error',
] as const;
const SnmpV3OutcomeSchema = z.enum(SNMP_V3_OUTCOMES);
export type SnmpV3Outcome = z.infer<typeof SnmpV3OutcomeSchema>;

/** What one configured v3 user got from the agent. No key, ever. */
export const SnmpV3UserResultSchema = z.object({
  user: z.string(),
  /** Which credential it came from (`credential:<id>` on workers); absent for inventory-file users. */
  credential: z.string().optional(),
  /** The security level and protocols the credential used. */
  level: SnmpV3LevelSchema,
  authProtocol: SnmpV3AuthProtocolSchema.optional(),
  privProtocol: SnmpV3PrivProtocolSchema.optional(),
  outcome: SnmpV3OutcomeSchema,
  /**
   * Whether a get with the same user name and no keys (noAuthNoPriv) returned values; absent when
   * the credential is noAuthNoPriv itself (`outcome` says) or there was no time to ask.
   */
  noAuthAccepted: z.boolean().optional(),
});
export type SnmpV3UserResult = z.infer<typeof SnmpV3UserResultSchema>;

/**
 * The agent processed a message authenticated (and, at authPriv, encrypted) with the credential's
 * protocols: it answered with values or with authorizationError, which it can only do after the USM
 * checks passed.
 */
export function snmpV3Authenticated(r: Pick<SnmpV3UserResult, 'outcome'>): boolean {
  return r.outcome === 'accepted' || r.outcome === 'authorization-error';
}
