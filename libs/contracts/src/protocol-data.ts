import { z } from 'zod';

import { SnmpV3UserResultSchema } from './snmp-v3.js';

/** Protocol data carried on an observation, one key per protocol (the key is the plugin's `key`). */

const SnmpVersionSchema = z.enum(['v1', 'v2c']);

/** SNMPv3 engine discovery (RFC 3414 §4): what an agent reveals to an empty-user request, unauthenticated. */
const SnmpEngineSchema = z.object({
  /** msgAuthoritativeEngineID, hex. */
  engineId: z.string(),
  /** RFC 3411 SnmpEngineID: IANA enterprise number (high bit cleared) when the id uses the 5..32 byte format. */
  enterprise: z.number().int().nonnegative().optional(),
  /** RFC 3411 format octet name: ipv4, ipv6, mac, text, octets, local, net-snmp-random, … or `legacy` (pre-3411 12-byte ids). */
  format: z.string().optional(),
  /** The format-specific part, decoded (`127.0.0.1`, `00:11:22:33:44:55`, text) or hex. */
  data: z.string().optional(),
  /** msgAuthoritativeEngineBoots / msgAuthoritativeEngineTime (seconds since the last boot). */
  boots: z.number().int().nonnegative(),
  time: z.number().int().nonnegative(),
});
export type SnmpEngine = z.infer<typeof SnmpEngineSchema>;

export const SnmpDataSchema = z.object({
  /** Communities the agent accepted (answered a get for). Rejected ones are only counted. */
  communities: z.array(z.string()),
  /** Version each accepted community answered on. */
  versions: z.record(z.string(), z.array(SnmpVersionSchema)).optional(),
  rejectedCount: z.number().int().nonnegative(),
  sysDescr: z.string().optional(),
  sysName: z.string().optional(),
  sysObjectID: z.string().optional(),
  /** SNMPv3 engine discovery; extra data, never decides the port's state. */
  engine: SnmpEngineSchema.optional(),
  /** Configured SNMPv3 users, in order, and what the agent did with each (an accepted one is an answer). */
  v3Users: z.array(SnmpV3UserResultSchema).optional(),
});
export type SnmpData = z.infer<typeof SnmpDataSchema>;

export const LdapDataSchema = z.object({
  /** Every attribute the server returned for the rootDSE, values as strings. */
  rootDSE: z.record(z.string(), z.array(z.string())),
});

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

const NetbiosNameSchema = z.object({
  /** The 15-character name, trailing spaces trimmed, printable. */
  name: z.string(),
  /** The 16th byte as PortQry prints it: `<00>`, `<20>`, `<1C>`… */
  suffix: z.string(),
  type: z.enum(['unique', 'group']),
  /** `active`, `permanent`, `conflict`, `deregistering`, node type `b-node`/`p-node`/`m-node`/`h-node`. */
  flags: z.array(z.string()),
});
export const NetbiosDataSchema = z.object({
  names: z.array(NetbiosNameSchema),
  /** Unit ID from the adapter status statistics, `aa-bb-cc-dd-ee-ff` (zeros when the peer has none, e.g. samba). */
  mac: z.string().optional(),
});
export type NetbiosData = z.infer<typeof NetbiosDataSchema>;

const MssqlInstanceSchema = z.object({
  serverName: z.string(),
  instanceName: z.string(),
  isClustered: z.boolean(),
  version: z.string(),
  tcpPort: z.number().int().min(0).max(65535).optional(),
  namedPipe: z.string().optional(),
  /** Other protocol tokens the browser listed (`via`, `rpc`, `spx`, `adsp`, `bv`), raw values. */
  other: z.record(z.string(), z.string()).optional(),
});
export const MssqlDataSchema = z.object({ instances: z.array(MssqlInstanceSchema) });
export type MssqlData = z.infer<typeof MssqlDataSchema>;

export const NtpDataSchema = z.object({
  version: z.number().int().min(0).max(7),
  /** 4 server, 5 broadcast, … (a client request gets mode 4). */
  mode: z.number().int().min(0).max(7),
  leap: z.enum(['none', 'add-second', 'del-second', 'unsynchronized']),
  /** 0 unspecified / kiss-of-death, 1 primary, 2..15 secondary, 16 unsynchronized. */
  stratum: z.number().int().min(0).max(255),
  /** Stratum 0/1: 4 ASCII characters (kiss code or source, e.g. `RATE`, `GPS`); else the IPv4 address or hex. */
  refId: z.string(),
  /** log2 seconds, e.g. -23 ≈ 119 ns. */
  poll: z.number().int(),
  precision: z.number().int(),
  /** Seconds. */
  rootDelay: z.number(),
  rootDispersion: z.number(),
  /** ISO 8601, or absent when zero (never synchronised). */
  referenceTime: z.string().optional(),
  /** The server's transmit time, ISO 8601 (its clock, not ours). */
  transmitTime: z.string().optional(),
  /** Kiss-of-death code when stratum is 0 (`RATE`, `DENY`, `RSTR`…). */
  kissCode: z.string().optional(),
});
export type NtpData = z.infer<typeof NtpDataSchema>;

const RpcEndpointSchema = z.object({
  /** Interface UUID (tower floor 1), lower case. */
  uuid: z.string(),
  /** Interface version `major.minor`. */
  version: z.string(),
  /** The entry's object UUID, when not nil. */
  object: z.string().optional(),
  /** The endpoint mapper's annotation (≤ 64 characters, may be empty). */
  annotation: z.string(),
  /** RPC string binding as PortQry prints it, e.g. `ncacn_ip_tcp:10.0.0.5[49152]`, `ncacn_np:\\\\HOST[\\PIPE\\lsass]`. */
  binding: z.string(),
  /** Protocol sequence: ncacn_ip_tcp, ncadg_ip_udp, ncacn_np, ncacn_nb_nb, ncalrpc, ncacn_http, unknown. */
  protocol: z.string(),
  /** TCP/UDP/HTTP port of the endpoint. */
  port: z.number().int().min(0).max(65535).optional(),
  /** Named pipe (ncacn_np) or local endpoint name (ncalrpc), unescaped. */
  pipe: z.string().optional(),
  /** IPv4 address or NetBIOS name from the tower, unescaped. */
  host: z.string().optional(),
});
export type RpcEndpoint = z.infer<typeof RpcEndpointSchema>;

/** RPC endpoint mapper (TCP 135): every endpoint ept_lookup returned, in the server's order. */
export const RpcDataSchema = z.object({
  endpoints: z.array(RpcEndpointSchema),
  /** Number of endpoints found (PortQry's "Total endpoints found"). */
  total: z.number().int().nonnegative(),
  /** False when the walk stopped at a bound (entries, calls, deadline) before the server's end of the map. */
  complete: z.boolean(),
});
export type RpcData = z.infer<typeof RpcDataSchema>;
