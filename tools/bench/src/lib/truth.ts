// Ground truth of the project's fleet lab (written by tools/lab), plus the expected states per tool.
import fs from 'node:fs';

import type { GroundTruth, HostTruth } from '../../../lab/src/types.js';
import { assertLoopbackTargets } from './safety.js';

export type { GroundTruth, HostTruth };

/** Canonical port states shared by every tool's parser and the scorer. */
export type Canon = 'open' | 'closed' | 'filtered' | 'open|filtered' | 'missing';

export function loadTruth(file: string): GroundTruth {
  if (!fs.existsSync(file))
    throw new Error(`no ground truth at ${file}: is the lab up? (bash tools/lab/lab.sh up)`);
  const gt = JSON.parse(fs.readFileSync(file, 'utf8')) as GroundTruth;
  if (!Array.isArray(gt.hosts) || gt.hosts.length === 0) throw new Error(`${file}: no hosts`);
  if (gt.errors?.length) throw new Error(`${file}: the lab reports errors: ${gt.errors.join('; ')}`);
  assertLoopbackTargets(
    gt.hosts.map((h) => h.address),
    'ground truth',
  );
  return gt;
}

function ipKey(a: string): number {
  return a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function byAddress(hosts: readonly HostTruth[]): HostTruth[] {
  return [...hosts].sort((x, y) => ipKey(x.address) - ipKey(y.address));
}

/** Communities a host accepts over v1/v2c (v3-only agents accept none). */
export function acceptedCommunities(h: HostTruth, list: readonly string[], version?: 'v1' | 'v2c'): string[] {
  const s = h.snmp;
  if (!s) return [];
  const speaks = version ? s.versions.includes(version) : s.versions.some((v) => v === 'v1' || v === 'v2c');
  if (!speaks) return [];
  return list.filter((c) => Object.hasOwn(s.communities, c));
}

/** nmap semantics: bound → open, nft-dropped → filtered (TCP) / open|filtered (UDP), else closed. */
export function expectedNmap(h: HostTruth, proto: 'tcp' | 'udp', port: number): Canon {
  if (proto === 'tcp') {
    if (h.openTcp.includes(port)) return 'open';
    if (h.filteredTcp.includes(port)) return 'filtered';
    return 'closed';
  }
  if (h.openUdp.includes(port)) return 'open';
  if (h.filteredUdp.includes(port)) return 'open|filtered';
  return 'closed';
}

/** UDP ports for which fleetqry has a protocol query (a silent port then ends FILTERED, as in PortQry). */
const UDP_QUERY_PORTS = new Set([53, 161]);

/**
 * fleetqry/PortQry semantics.
 * TCP: bound → LISTENING, dropped → FILTERED, else NOT LISTENING.
 * UDP: ICMP unreachable → NOT LISTENING; a reply → LISTENING; silence → LISTENING or FILTERED, and
 * FILTERED once the protocol query (DNS, SNMP) is also unanswered. An SNMP agent that rejects every
 * community in the list used stays silent, so it is FILTERED, not LISTENING.
 */
export function expectedFleetqry(
  h: HostTruth,
  proto: 'tcp' | 'udp',
  port: number,
  communities: readonly string[],
): Canon {
  if (proto === 'tcp') return expectedNmap(h, 'tcp', port);
  const silent: Canon = UDP_QUERY_PORTS.has(port) ? 'filtered' : 'open|filtered';
  if (h.filteredUdp.includes(port)) return silent;
  if (!h.openUdp.includes(port)) return 'closed';
  if (port === 161 && h.services[`udp/${port}`] === 'snmpd') {
    return acceptedCommunities(h, communities).length > 0 ? 'open' : silent;
  }
  return 'open';
}
