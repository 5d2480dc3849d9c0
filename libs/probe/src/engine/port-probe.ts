import type { Observation, Proto } from '@fleetqry/contracts';

import type { CommonProtocolOptions } from '../protocols/options.js';
import type { ProtocolPlugin, UdpPatience } from '../protocols/plugin.js';
import type { EngineContext } from './engine-context.js';
import { runQuery, type QueryOutcome } from './run-query.js';
import { probeTcpState, probeTcpStateCallback, type StateResult } from './tcp-probe.js';
import { probeUdpState } from './udp-probe.js';

export interface ProbeTarget {
  /** Name as given, reverse-resolved name, or the address. */
  host: string;
  address: string;
  family: 4 | 6;
  /** Ports never probed on this host (an inventory's per-host exclusions), as port ranges. */
  exclude?: { tcp: readonly (readonly [number, number])[]; udp: readonly (readonly [number, number])[] };
}

export interface PortProbeOptions {
  /** Look up the plugin for a port, if protocol queries are enabled (bound to its own options). */
  pluginFor: (proto: Proto, port: number) => ProtocolPlugin | undefined;
  serviceName: (proto: Proto, port: number) => string | undefined;
  /** What every plugin reads; each plugin's own options are bound in by the registry. */
  protocolOptions: CommonProtocolOptions;
  /** Deadline of a TCP protocol query (banner, LDAP) in ms. */
  tcpQueryTimeoutMs: number;
  /** A UDP protocol query's window in ms while its host is unmeasured; raised by a slow host's timeout. */
  udpQueryTimeoutMs: number;
  /** On a measured host, silence to a UDP query is final after its retransmissions, never sooner than this (ms). */
  udpQuietMinMs: number;
  /**
   * `portqry`: every UDP port first gets the unformatted datagram, and only silence leads to the
   * formatted query, as PortQry prints it. `fast`: a port with a protocol query gets only the
   * formatted query; the decision is the same (reply LISTENING, ICMP NOT LISTENING, silence FILTERED).
   */
  udpMode: 'portqry' | 'fast';
  /** Multiplier for every wait (PortQry -sl doubles). */
  waitFactor: number;
  signal?: AbortSignal;
}

/**
 * A UDP query's view of its host's round trip: the host's own estimate only (never the scan-wide one,
 * so a host that answers nothing keeps the full window), the same timeout and attempts as the
 * unformatted probe, and every round trip the query measures fed back into the estimate.
 */
function hostPatience(ctx: EngineContext, address: string, minQuietMs: number): UdpPatience {
  return {
    current: () => {
      const timeoutMs = ctx.rtt.measuredTimeoutFor(address);
      return timeoutMs === undefined ? undefined : { timeoutMs, attempts: ctx.udpAttempts, minQuietMs };
    },
    watch: (listener) => ctx.rtt.watch(address, listener),
    observe: (rttMs) => ctx.rtt.record(address, rttMs),
  };
}

function stateFromUdpQuery(q: QueryOutcome): StateResult {
  if (q.answered) return { state: 'LISTENING', reason: 'protocol-response', rttMs: q.durationMs };
  if (q.status === 'connection-refused') return { state: 'NOT LISTENING', reason: 'icmp-port-unreachable' };
  // PortQry's state stays (a rejected community is FILTERED); the reason says the agent is there
  if (q.data?.snmp?.engine) return { state: 'FILTERED', reason: 'snmpv3-only' };
  return { state: 'FILTERED', reason: 'no-response' };
}

function attachQuery(obs: Observation, plugin: ProtocolPlugin, q: QueryOutcome): Observation {
  obs.protocol = {
    name: plugin.name,
    status: q.status,
    durationMs: Math.round(q.durationMs * 100) / 100,
    ...(q.detail ? { detail: q.detail } : {}),
  };
  if (q.evidence) obs.evidence = q.evidence;
  if (q.data) Object.assign(obs, q.data);
  return obs;
}

let stampMs = NaN;
let stamp = '';
/** The ISO time now, formatted once per millisecond rather than once per observation. */
function observedAt(): string {
  const ms = Date.now();
  if (ms !== stampMs) {
    stampMs = ms;
    stamp = new Date(ms).toISOString();
  }
  return stamp;
}

/** The observation record, built without spreads (it is made once per probe). Key order is the output's. */
export function observe(
  opts: Pick<PortProbeOptions, 'serviceName'>,
  target: ProbeTarget,
  proto: Proto,
  port: number,
  s: StateResult,
): Observation {
  const obs = { host: target.host, address: target.address, proto, port } as Observation;
  const service = opts.serviceName(proto, port);
  if (service) obs.service = service;
  obs.state = s.state;
  obs.reason = s.reason;
  if (s.rttMs !== undefined) obs.rttMs = Math.round(s.rttMs * 1000) / 1000;
  obs.observedAt = observedAt();
  return obs;
}

/**
 * The TCP state probe of a port without a protocol query, which is nearly every port of a sweep:
 * callback-based, so a probe costs no promise hops. Same decision and record as probePort.
 */
export function probeTcpPortCallback(
  ctx: EngineContext,
  opts: PortProbeOptions,
  target: ProbeTarget,
  port: number,
  done: (error: Error | undefined, observation?: Observation) => void,
): void {
  probeTcpStateCallback(ctx, target.address, target.family, port, (e, s) =>
    e ? done(e) : done(undefined, observe(opts, target, 'tcp', port, s!)),
  );
}

/** Probes one port of one (scope-checked) target: the state as PortQry decides it, then its query. */
export async function probePort(
  ctx: EngineContext,
  opts: PortProbeOptions,
  target: ProbeTarget,
  proto: Proto,
  port: number,
): Promise<Observation> {
  const plugin = opts.pluginFor(proto, port);
  const make = (s: StateResult): Observation => observe(opts, target, proto, port, s);
  const query = (timeoutMs: number, patience?: UdpPatience) =>
    runQuery(
      plugin!,
      {
        host: target.host,
        address: target.address,
        port,
        proto,
        timeoutMs: timeoutMs + (plugin!.extraTimeoutMs?.(opts.protocolOptions) ?? 0),
        options: opts.protocolOptions,
        ...(patience ? { patience } : {}),
        ...(ctx.sourcePort !== undefined ? { sourcePort: ctx.sourcePort } : {}),
      },
      opts.signal,
    );

  if (proto === 'tcp') {
    const s = await probeTcpState(ctx, target.address, target.family, port);
    const obs = make(s);
    if (s.state === 'LISTENING' && plugin)
      attachQuery(obs, plugin, await query(opts.tcpQueryTimeoutMs * opts.waitFactor));
    return obs;
  }

  // The window is the wait while nothing is known of the host; a host measured as slow raises it, and
  // once the host is measured the query's own clock shortens it (hostPatience).
  const udpQueryTimeout = () =>
    Math.max(
      opts.udpQueryTimeoutMs * opts.waitFactor,
      ctx.udpAttempts * (ctx.rtt.measuredTimeoutFor(target.address) ?? 0),
    );
  const udpQuery = async () => {
    const minQuietMs = Math.min(opts.udpQuietMinMs, opts.udpQueryTimeoutMs) * opts.waitFactor;
    const q = await query(udpQueryTimeout(), hostPatience(ctx, target.address, minQuietMs));
    if (q.status === 'connection-refused') ctx.icmp.record(target.address, port);
    return q;
  };
  if (plugin && opts.udpMode === 'fast') {
    const q = await udpQuery();
    return attachQuery(make(stateFromUdpQuery(q)), plugin, q);
  }
  const s = await probeUdpState(ctx, target.address, target.family, port);
  if (!plugin || s.state === 'NOT LISTENING') return make(s);
  // Silence (or a reply) to the unformatted datagram: the formatted query decides, as in PortQry.
  const q = await udpQuery();
  const decided = s.state === 'LISTENING' ? s : stateFromUdpQuery(q);
  return attachQuery(make(decided), plugin, q);
}
