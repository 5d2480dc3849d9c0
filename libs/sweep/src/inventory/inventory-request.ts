import type { Inventory, InventoryHost } from '@fleetqry/contracts';
import type { PolicyHost } from '@fleetqry/policy';
import { isLiteral, parseTarget, type ScanRequest } from '@fleetqry/probe';

import type { LoadedInventory } from './inventory-file.js';

/**
 * Each address once: an entry for one address that an earlier entry repeats, or that a range or CIDR
 * entry covers (a tagged host inside its block), is probed through the other entry, so it is probed and
 * reported once. Its tags and owner still apply (policyHosts reads every entry). An entry with its own
 * excludePorts is kept, so that its exclusions are not lost.
 */
export function uniqueTargets(hosts: readonly InventoryHost[]): InventoryHost[] {
  const specs = hosts.map((h) => parseTarget(h.address));
  const blocks = specs.filter((s) => isLiteral(s) && s.kind !== 'address');
  const seen = new Set<string>();
  return hosts.filter((h, i) => {
    const s = specs[i]!;
    if (!isLiteral(s) || s.kind !== 'address') return true;
    const key = `${s.family}/${s.first}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (h.excludePorts) return true;
    return !blocks.some(
      (b) => isLiteral(b) && b.family === s.family && b.first <= s.first && s.first <= b.last,
    );
  });
}

/**
 * The scan an inventory asks for, on top of site defaults (scope, limits, resolver, default port
 * exclusions), which the caller supplies in `base`.
 */
export function inventoryScanRequest(
  loaded: LoadedInventory,
  base: Omit<ScanRequest, 'targets' | 'ports'> & {
    ports?: Pick<ScanRequest['ports'], 'defaultExcludedPorts'>;
  },
): ScanRequest {
  const inv: Inventory = loaded.inventory;
  return {
    ...base,
    targets: uniqueTargets(loaded.hosts).map((h) =>
      h.excludePorts ? { target: h.address, excludePorts: h.excludePorts } : h.address,
    ),
    ports: {
      ...base.ports,
      tcp: inv.ports.tcp,
      udp: inv.ports.udp,
      groups: inv.ports.groups,
      excludePorts: inv.ports.exclude,
    },
    communities: inv.snmp?.communities ?? base.communities,
    ...(inv.snmp?.v3Users?.length
      ? { protocolOptions: { ...base.protocolOptions, snmpV3Users: inv.snmp.v3Users } }
      : {}),
    queries: inv.checks ?? base.queries,
  };
}

/** Hosts as the policy sees them: tags and owners from host entries and from the `tags:` block map. */
export function policyHosts(loaded: LoadedInventory): PolicyHost[] {
  const owner = loaded.inventory.owner;
  const fromHosts = loaded.hosts.map((h: InventoryHost) => ({
    address: h.address,
    ...(h.name ? { name: h.name } : {}),
    tags: h.tags,
    ...((h.owner ?? owner) ? { owner: h.owner ?? owner } : {}),
    ...(h.groups ? { groups: h.groups } : {}),
  }));
  const fromBlocks = Object.entries(loaded.inventory.tags ?? {}).map(([block, tags]) => ({
    address: block,
    tags,
  }));
  return [...fromHosts, ...fromBlocks];
}
