import type { Observation, ProbeStatus, Proto } from '@fleetqry/contracts';

import type { CommonProtocolOptions } from './options.js';

/** The keys of Observation that hold protocol data; a plugin fills only its own. */
type ProtocolDataKey =
  'snmp' | 'ldap' | 'dns' | 'banner' | 'ftp' | 'http' | 'ssh' | 'netbios' | 'mssql' | 'ntp' | 'rpc';
export type ProtocolData = Partial<Pick<Observation, ProtocolDataKey>>;

/** A plugin without options of its own. */
export type NoOptions = Record<never, never>;

/** What a plugin sees of the scan's protocol options: the common ones and its own namespace, nothing else. */
export type PluginOptions<O extends object = NoOptions> = CommonProtocolOptions & O;

export interface ProtocolContext<O extends object = NoOptions> {
  /** Name the user gave (or reverse-resolved); used e.g. for HTTP Host and TLS SNI. */
  host: string;
  /** The resolved, scope-checked address to talk to. Plugins must never resolve names themselves. */
  address: string;
  port: number;
  proto: Proto;
  /** Hard deadline for the whole query in ms; the plugin must settle before it (the caller also aborts). */
  timeoutMs: number;
  signal: AbortSignal;
  options: PluginOptions<O>;
  /** UDP only: the engine's view of the host's round trip, which shortens the wait for silence. */
  patience?: UdpPatience;
  /**
   * PortQry -sp: every socket of the query leaves from this local port (UDP bound to it, TCP connects
   * bound to it), never silently from another one.
   */
  sourcePort?: number;
}

/**
 * What the engine knows of a host's round trip, for UDP queries. Before the host is measured, a query
 * listens for its whole window; once it is (ICMP or a reply from any of its ports, also while the
 * query runs), each send waits `timeoutMs` for an answer and silence after `attempts` sends is final,
 * but never before `minQuietMs` from the first send (time for a slow service, which no round trip
 * measures).
 */
export interface UdpPatience {
  current(): { timeoutMs: number; attempts: number; minQuietMs: number } | undefined;
  /** Calls `listener` whenever current() may have changed; returns the unsubscribe. */
  watch(listener: () => void): () => void;
  /** A round trip this query measured (first send to first datagram or ICMP error, nothing resent). */
  observe(rttMs: number): void;
}

export interface ProtocolResult {
  status: ProbeStatus;
  /** Short human explanation; never contains a community, password or other secret. */
  detail?: string;
  /** Printable excerpt of what the peer sent that proves the result, capped. */
  evidence?: string;
  data?: ProtocolData;
}

/** How detail lines show what may be a secret. */
export interface DescribeOptions {
  /** An accepted SNMP community as the reader may see it (default: as recorded). */
  community?: (community: string) => string;
}

/**
 * A protocol query. Adding a protocol is a folder under protocols/ exporting one of these, plus its
 * line in the registry. For UDP the engine maps the result to a state: an answer (success, rejected
 * with a reply, application-error, protocol-error) is LISTENING, silence (io-timeout) is FILTERED,
 * ICMP port unreachable (connection-refused) is NOT LISTENING. `answered` says which applies.
 *
 * `O` is the plugin's own options (its folder's `options.ts`, a namespace of the scan's ProtocolOptions):
 * the registry binds them in, so the engine runs every plugin as a `ProtocolPlugin` of the common options.
 */
export interface ProtocolPlugin<O extends object = NoOptions> {
  /** Stable name, e.g. `snmp`, `ldap`, `smtp`. */
  readonly name: string;
  /** Ports this plugin is tried on by default, per transport. */
  readonly ports: { readonly tcp?: readonly number[]; readonly udp?: readonly number[] };
  query(ctx: ProtocolContext<O>): Promise<ProtocolResult & { answered: boolean }>;
  /**
   * Time the query needs beyond the transport's window with these options (exchanges that start after the
   * window's answers, e.g. authenticated SNMPv3 gets); the engine adds it to `ctx.timeoutMs`. Optional.
   */
  extraTimeoutMs?(options: PluginOptions<O>): number;
  /**
   * Called once per scan (per scan thread) before any query, to load what the options need, so that
   * loading never eats into a query's deadline. Optional.
   */
  prepare?(options: PluginOptions<O>): Promise<void>;
  /** PortQry-style detail lines printed under the port line. */
  describe(obs: Observation, opts?: DescribeOptions): string[];
}
