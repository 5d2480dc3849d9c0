/**
 * SNMP (UDP 161), PortQry-style: a get for sysDescr.0/sysName.0/sysObjectID.0 with every configured
 * community, on v1 and v2c, over one connected socket. Any accepted community → LISTENING (success);
 * silence → FILTERED (rejected, as PortQry reports a wrong community); ICMP unreachable → NOT LISTENING.
 * Configured SNMPv3 users then get the same system group, authenticated (v3-user.ts), once the agent
 * has shown it speaks v3; an accepted user is an answer like an accepted community.
 */
import { randomInt } from 'node:crypto';

import type { Observation } from '@fleetqry/contracts';

import type { DescribeOptions, PluginOptions, ProtocolContext, ProtocolPlugin } from '../plugin.js';
import { validateCommunities } from './community.js';
import { encodeGetRequest, SYSTEM_OIDS, type SnmpVersion } from './message.js';
import type { SnmpOptions } from './options.js';
import { buildResult, type SnmpQueryResult } from './result.js';
import { runSweep, type SweepRequest } from './sweep.js';
import { checkV3Users, loadNetSnmp, type V3UserCheck } from './v3-user.js';
import { encodeDiscoveryRequest } from './v3.js';

export { validateCommunity } from './community.js';
const VERSIONS: readonly SnmpVersion[] = ['v1', 'v2c'];
/** The v3 gets settle this long before the query's deadline, so their own outcome is reported. */
const V3_MARGIN_MS = 25;
/**
 * Time the v3 users get on top of the community window (the engine adds it to the deadline): each
 * user is two gets of two exchanges each (discovery, then the request), and USM key localisation
 * hashes 1 MB per key and agent (about 9 ms of CPU here under load), which a scan of many agents at
 * once queues up: the lab's 48 agents with 4 users (3 with keys) took up to 2.9 s.
 */
const SNMP_V3_BASE_TIMEOUT_MS = 1000;
const SNMP_V3_PER_USER_TIMEOUT_MS = 750;
const OIDS = [SYSTEM_OIDS.sysDescr, SYSTEM_OIDS.sysName, SYSTEM_OIDS.sysObjectID];

export function buildRequests(communities: readonly string[]): SweepRequest[] {
  // Random base so a late answer to an earlier query from the same port can never match this one.
  const base = randomInt(1, 0x3fff_ffff - 2 * communities.length);
  return communities.flatMap((community, i) =>
    VERSIONS.map((version, j) => {
      const requestId = base + i * VERSIONS.length + j;
      return {
        requestId,
        version,
        community,
        packet: encodeGetRequest({ version, community, requestId, oids: OIDS }),
      };
    }),
  );
}

async function query(ctx: ProtocolContext<SnmpOptions>): Promise<SnmpQueryResult> {
  const problem = validateCommunities(ctx.options.communities);
  if (problem)
    return { status: 'application-error', answered: false, detail: `${problem}; no SNMP query sent` };
  const communities = [...new Set(ctx.options.communities)];
  try {
    const requests = buildRequests(communities);
    const msgId = randomInt(1, 0x7fff_ffff);
    const deadline = performance.now() + ctx.timeoutMs - V3_MARGIN_MS;
    const discovery = ctx.options.v3Discovery;
    const users = ctx.options.v3Users;
    // The community sweep keeps the transport's window; the extra time is the v3 users' only.
    const window = ctx.timeoutMs - extraTimeoutMs(ctx.options);
    // v3 users are asked as soon as the agent has shown it speaks v3 (its discovery Report), alongside the
    // rest of the community sweep; silence to discovery is never waited out once more per user. Without
    // discovery they are asked from the start, and given up if the port turns out closed.
    const stopV3 = new AbortController();
    const onAbort = (): void => stopV3.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const target = { address: ctx.address, port: ctx.port, signal: stopV3.signal };
    let v3: Promise<V3UserCheck[]> | undefined;
    const askV3 = (): void => {
      v3 ??= checkV3Users(target, users, deadline - performance.now());
    };
    // A fixed source port (PortQry -sp) is the sweep's until it ends, so the v3 gets wait for it.
    const alongside = users.length > 0 && ctx.sourcePort === undefined;
    if (alongside && !discovery) askV3();
    const outcome = await runSweep({
      ctx: { ...ctx, timeoutMs: window },
      requests,
      ...(discovery ? { v3: { msgId, packet: encodeDiscoveryRequest({ msgId, requestId: msgId }) } } : {}),
      ...(alongside ? { onEngine: askV3 } : {}),
    });
    if (outcome.end === 'refused') stopV3.abort();
    else if (users.length > 0 && !alongside && (outcome.engine || !discovery))
      v3 = checkV3Users({ ...target, sourcePort: ctx.sourcePort! }, users, deadline - performance.now());
    const checks = outcome.end === 'refused' ? undefined : await v3;
    ctx.signal.removeEventListener('abort', onAbort);
    return buildResult(communities, requests, outcome, checks);
  } catch {
    // Nothing above should throw; if it does, the message could hold a request buffer, so say nothing.
    return { status: 'application-error', answered: false, detail: 'internal error in the SNMP query' };
  }
}

/** PortQry-like lines: accepted communities (as `opts.community` shows them), then the system group. */
function describe(obs: Observation, opts: DescribeOptions = {}): string[] {
  const snmp = obs.snmp;
  const shown = opts.community ?? ((c: string) => c);
  const lines: string[] = [];
  if (!snmp) {
    if (obs.protocol?.detail) lines.push(`SNMP query: ${obs.protocol.detail}`);
    return lines;
  }
  for (const community of snmp.communities) {
    const versions = snmp.versions?.[community];
    lines.push(
      `community name: ${shown(community)}${versions?.length ? ` (SNMP ${versions.join(', ')})` : ''}`,
    );
  }
  if (snmp.communities.length === 0) lines.push('no community name was accepted by the SNMP agent');
  if (snmp.rejectedCount > 0) lines.push(`community names rejected (no reply): ${snmp.rejectedCount}`);
  if (snmp.sysDescr !== undefined) lines.push(`sysDescr: ${snmp.sysDescr}`);
  if (snmp.sysName !== undefined) lines.push(`sysName: ${snmp.sysName}`);
  if (snmp.sysObjectID !== undefined) lines.push(`sysObjectID: ${snmp.sysObjectID}`);
  for (const u of snmp.v3Users ?? []) {
    const protocols = [u.authProtocol, u.privProtocol].filter(Boolean).join('/');
    const noAuth =
      u.noAuthAccepted === undefined ? '' : `, without keys ${u.noAuthAccepted ? 'accepted' : 'refused'}`;
    lines.push(
      `SNMPv3 user ${u.user} (${u.level}${protocols ? ` ${protocols}` : ''}): ${u.outcome}${noAuth}`,
    );
  }
  const e = snmp.engine;
  if (e) {
    const how = [
      e.enterprise !== undefined ? `enterprise ${e.enterprise}` : undefined,
      e.format ? `format ${e.format}` : undefined,
      e.data ? `data ${e.data}` : undefined,
    ].filter(Boolean);
    lines.push(`SNMPv3 engine ID: ${e.engineId}${how.length ? ` (${how.join(', ')})` : ''}`);
    lines.push(`SNMPv3 engine boots: ${e.boots}, engine time: ${e.time} s`);
  }
  return lines;
}

function extraTimeoutMs(options: PluginOptions<SnmpOptions>): number {
  const users = options.v3Users.length;
  return users ? SNMP_V3_BASE_TIMEOUT_MS + users * SNMP_V3_PER_USER_TIMEOUT_MS : 0;
}

export const snmpPlugin: ProtocolPlugin<SnmpOptions> = {
  name: 'snmp',
  ports: { udp: [161] },
  query,
  describe,
  extraTimeoutMs,
  prepare: async (options) => {
    if (options.v3Users.length) await loadNetSnmp();
  },
};
