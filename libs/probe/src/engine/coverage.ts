import { CLOSED_REASON, type HostCoverage, type Observation, PortSet, type Proto } from '@fleetqry/contracts';

import { serviceName } from '../ports/services.js';

/** The fields a plainly closed port's observation may have; anything else is information worth a row. */
const PLAIN_KEYS = new Set([
  'host',
  'address',
  'proto',
  'port',
  'service',
  'state',
  'reason',
  'rttMs',
  'observedAt',
]);

/**
 * A plain closed port: NOT LISTENING for the protocol's ordinary reason, its service name the port table's,
 * and nothing else observed (no protocol outcome, data or evidence). Such a cell is recovered exactly from
 * coverage by {@link expandCoverage}, except its round-trip time, which no report or rule uses.
 */
export function isPlainClosed(o: Observation): boolean {
  if (o.state !== 'NOT LISTENING' || o.reason !== CLOSED_REASON[o.proto]) return false;
  if (o.service !== serviceName(o.port, o.proto)) return false;
  for (const key in o) {
    if (!PLAIN_KEYS.has(key) && (o as Record<string, unknown>)[key] !== undefined) return false;
  }
  return true;
}

interface HostCells {
  host: string;
  /** Protocols with any observation (so a host with every port open still has coverage). */
  probed: Set<Proto>;
  closed: Record<Proto, number[]>;
  observedAt: string;
}

/**
 * Splits a host's observations into the informative ones and its plain closed ports, and turns the latter
 * into one {@link HostCoverage} per protocol when the host is done. Holds only hosts in progress (the
 * scanner's host group), never a whole run.
 */
export class CoverageCollector {
  private readonly hosts = new Map<string, HostCells>();

  /** Records the observation; true when it is plain closed (covered, no row of its own needed). */
  add(o: Observation): boolean {
    let cells = this.hosts.get(o.address);
    if (!cells) {
      cells = { host: o.host, probed: new Set(), closed: { tcp: [], udp: [] }, observedAt: o.observedAt };
      this.hosts.set(o.address, cells);
    }
    cells.probed.add(o.proto);
    if (!isPlainClosed(o)) return false;
    cells.closed[o.proto].push(o.port);
    if (o.observedAt > cells.observedAt) cells.observedAt = o.observedAt;
    return true;
  }

  /** The host's coverage, one record per protocol it was probed on; forgets the host. */
  hostDone(address: string): HostCoverage[] {
    const cells = this.hosts.get(address);
    if (!cells) return [];
    this.hosts.delete(address);
    return [...cells.probed].sort().map((proto) => ({
      host: cells.host,
      address,
      proto,
      closed: PortSet.fromPorts(cells.closed[proto])
        .ranges()
        .map(([lo, hi]): [number, number] => [lo, hi]),
      observedAt: cells.observedAt,
    }));
  }

  /** Hosts still open (nothing should remain once a scan ends: every host gets its host-done). */
  get pending(): number {
    return this.hosts.size;
  }
}

/**
 * The closed cells of a coverage record as observations, optionally only the ports `want` accepts (the
 * evaluator asks only for ports a rule could fire on).
 */
export function expandCoverage(
  c: HostCoverage,
  want?: (proto: Proto, port: number) => boolean,
): Observation[] {
  const out: Observation[] = [];
  const reason = CLOSED_REASON[c.proto];
  for (const [first, last] of c.closed) {
    for (let port = first; port <= last; port++) {
      if (want && !want(c.proto, port)) continue;
      const service = serviceName(port, c.proto);
      out.push({
        host: c.host,
        address: c.address,
        proto: c.proto,
        port,
        ...(service !== undefined ? { service } : {}),
        state: 'NOT LISTENING',
        reason,
        observedAt: c.observedAt,
      });
    }
  }
  return out;
}
