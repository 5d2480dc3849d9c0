import { hostname as osHostname, networkInterfaces } from 'node:os';

import { isListener, type HostViewPushInput, type LocalSnapshot } from '@fleetqry/contracts';

/** Every address of this host's interfaces (loopback included: the lab and single-host setups scan it). */
export function interfaceAddresses(
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): string[] {
  const out = new Set<string>();
  for (const list of Object.values(interfaces))
    for (const info of list ?? []) out.add(info.address.replace(/%.*$/, ''));
  return [...out];
}

/**
 * The push body: the listeners of a snapshot (TCP LISTENING, unconnected UDP) with the host's identity.
 * Loaded modules are never sent (the controller needs the owner, not its memory map).
 */
export function buildHostView(
  snapshot: LocalSnapshot,
  identity: { hostname?: string; addresses: string[]; agentVersion: string },
): HostViewPushInput {
  return {
    hostname: identity.hostname ?? (snapshot.host || osHostname()),
    addresses: identity.addresses,
    takenAt: snapshot.takenAt,
    sockets: snapshot.sockets.filter(isListener).map(({ modules: _modules, ...s }) => s),
    problems: snapshot.problems.slice(0, 100).map((p) => p.slice(0, 1000)),
    agentVersion: identity.agentVersion,
  };
}
