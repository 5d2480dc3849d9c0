import { z } from 'zod';

/** Protocol data carried on an observation, one key per protocol (the key is the plugin's `key`). */

export const SnmpVersionSchema = z.enum(['v1', 'v2c']);

export const SnmpDataSchema = z.object({
  /** Communities the agent accepted (answered a get for). Rejected ones are only counted. */
  communities: z.array(z.string()),
  /** Version each accepted community answered on. */
  versions: z.record(z.string(), z.array(SnmpVersionSchema)).optional(),
  rejectedCount: z.number().int().nonnegative(),
  sysDescr: z.string().optional(),
  sysName: z.string().optional(),
  sysObjectID: z.string().optional(),
});
export type SnmpData = z.infer<typeof SnmpDataSchema>;

export const LdapDataSchema = z.object({
  /** Every attribute the server returned for the rootDSE, values as strings. */
  rootDSE: z.record(z.string(), z.array(z.string())),
});
export type LdapData = z.infer<typeof LdapDataSchema>;

export const DnsDataSchema = z.object({
  transport: z.enum(['udp', 'tcp']),
  rcode: z.string(),
  flags: z.array(z.string()),
  answers: z.array(z.object({ name: z.string(), type: z.string(), data: z.string() })),
  /** The question asked, so evidence is self-contained. */
  question: z.object({ name: z.string(), type: z.string() }),
});
export type DnsData = z.infer<typeof DnsDataSchema>;

export const FtpDataSchema = z.object({
  /** Whether `USER anonymous` + `PASS` was accepted (230). */
  anonymousLogin: z.boolean(),
  /** Server's reply to the logon attempt (first line). */
  loginReply: z.string().optional(),
});
export type FtpData = z.infer<typeof FtpDataSchema>;

export const HttpDataSchema = z.object({
  statusCode: z.number().int().optional(),
  server: z.string().optional(),
  tls: z.boolean(),
});
export type HttpData = z.infer<typeof HttpDataSchema>;

export const SshDataSchema = z.object({
  protoVersion: z.string(),
  software: z.string(),
  comments: z.string().optional(),
});
export type SshData = z.infer<typeof SshDataSchema>;
