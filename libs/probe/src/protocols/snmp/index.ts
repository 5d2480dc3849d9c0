/**
 * SNMP (UDP 161), PortQry-style: a get for sysDescr.0/sysName.0/sysObjectID.0 with every configured
 * community, on v1 and v2c, over one connected socket. Any accepted community → LISTENING (success);
 * silence → FILTERED (rejected, as PortQry reports a wrong community); ICMP unreachable → NOT LISTENING.
 */
import { randomInt } from 'node:crypto';

import type { Observation } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolPlugin } from '../plugin.js';
import { validateCommunities } from './community.js';
import { encodeGetRequest, SYSTEM_OIDS, type SnmpVersion } from './message.js';
import { buildResult, type SnmpQueryResult } from './result.js';
import { runSweep, type SweepRequest } from './sweep.js';
import { encodeDiscoveryRequest } from './v3.js';

export { MAX_COMMUNITIES, MAX_COMMUNITY_BYTES, validateCommunities, validateCommunity } from './community.js';
export { decodeV3Report, describeEngineId, encodeDiscoveryRequest, toEngineData } from './v3.js';

/** What the engine should pass as ctx.timeoutMs by default (×2 for PortQry's -sl slow link). */
export const SNMP_DEFAULT_TIMEOUT_MS = 1000;
const VERSIONS: readonly SnmpVersion[] = ['v1', 'v2c'];
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

async function query(ctx: ProtocolContext): Promise<SnmpQueryResult> {
  const problem = validateCommunities(ctx.options.communities);
  if (problem)
    return { status: 'application-error', answered: false, detail: `${problem}; no SNMP query sent` };
  const communities = [...new Set(ctx.options.communities)];
  try {
    const requests = buildRequests(communities);
    const msgId = randomInt(1, 0x7fff_ffff);
    const outcome = await runSweep({
      ctx,
      requests,
      ...(ctx.options.snmpV3Discovery !== false
        ? { v3: { msgId, packet: encodeDiscoveryRequest({ msgId, requestId: msgId }) } }
        : {}),
    });
    return buildResult(communities, requests, outcome);
  } catch {
    // Nothing above should throw; if it does, the message could hold a request buffer, so say nothing.
    return { status: 'application-error', answered: false, detail: 'internal error in the SNMP query' };
  }
}

/** PortQry-like lines: accepted communities (the user asked for them), then the system group. */
function describe(obs: Observation): string[] {
  const snmp = obs.snmp;
  const lines: string[] = [];
  if (!snmp) {
    if (obs.protocol?.detail) lines.push(`SNMP query: ${obs.protocol.detail}`);
    return lines;
  }
  for (const community of snmp.communities) {
    const versions = snmp.versions?.[community];
    lines.push(`community name: ${community}${versions?.length ? ` (SNMP ${versions.join(', ')})` : ''}`);
  }
  if (snmp.communities.length === 0) lines.push('no community name was accepted by the SNMP agent');
  if (snmp.rejectedCount > 0) lines.push(`community names rejected (no reply): ${snmp.rejectedCount}`);
  if (snmp.sysDescr !== undefined) lines.push(`sysDescr: ${snmp.sysDescr}`);
  if (snmp.sysName !== undefined) lines.push(`sysName: ${snmp.sysName}`);
  if (snmp.sysObjectID !== undefined) lines.push(`sysObjectID: ${snmp.sysObjectID}`);
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

export const snmpPlugin: ProtocolPlugin = {
  name: 'snmp',
  ports: { udp: [161] },
  query,
  describe,
};
