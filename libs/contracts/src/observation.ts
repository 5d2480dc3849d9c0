import { z } from 'zod';

import { PortStateSchema, ProtoSchema, StateReasonSchema } from './port-state.js';
import { ProbeStatusSchema } from './protocol-status.js';
import {
  DnsDataSchema,
  FtpDataSchema,
  HttpDataSchema,
  LdapDataSchema,
  MssqlDataSchema,
  NetbiosDataSchema,
  NtpDataSchema,
  RpcDataSchema,
  SnmpDataSchema,
  SshDataSchema,
} from './protocol-data.js';

/** The outcome of the protocol query that followed the state probe, if one ran. */
const ProtocolOutcomeSchema = z.object({
  name: z.string(),
  status: ProbeStatusSchema,
  /** A short human explanation (never contains a secret). */
  detail: z.string().optional(),
  durationMs: z.number().nonnegative(),
});

/**
 * One port of one host, as observed. The same record is printed by the CLI (json/jsonl/csv),
 * carried in queue result batches and stored as an observation row.
 */
export const ObservationSchema = z.object({
  /** The name the user gave, or the reverse-resolved name, or the address. */
  host: z.string().min(1),
  address: z.string().min(1),
  proto: ProtoSchema,
  port: z.number().int().min(1).max(65535),
  /** Service name from the port table (e.g. `ldap`), if known. */
  service: z.string().optional(),
  state: PortStateSchema,
  reason: StateReasonSchema,
  /** Measured round trip of the state probe in milliseconds, when something answered. */
  rttMs: z.number().nonnegative().optional(),
  observedAt: z.string().datetime(),
  protocol: ProtocolOutcomeSchema.optional(),
  /** Raw evidence (printable excerpt of what the peer sent), capped. */
  evidence: z.string().optional(),
  snmp: SnmpDataSchema.optional(),
  ldap: LdapDataSchema.optional(),
  dns: DnsDataSchema.optional(),
  /** First line(s) a banner protocol sent (SMTP, POP3, IMAP, FTP, SSH) or the HTTP `Server:` value. */
  banner: z.string().optional(),
  ftp: FtpDataSchema.optional(),
  http: HttpDataSchema.optional(),
  ssh: SshDataSchema.optional(),
  netbios: NetbiosDataSchema.optional(),
  mssql: MssqlDataSchema.optional(),
  ntp: NtpDataSchema.optional(),
  /** RPC endpoint mapper (TCP 135). CLDAP (UDP 389) fills `ldap`, like TCP 389: the proto tells them apart. */
  rpc: RpcDataSchema.optional(),
});
export type Observation = z.infer<typeof ObservationSchema>;
