import type { Inventory, InventoryHost } from '@fleetqry/contracts';
import type { PolicyHost } from '@fleetqry/policy';
import type { ScanRequest } from '@fleetqry/probe';

import type { LoadedInventory } from './inventory-file.js';
import { inventoryTargets } from './merge-targets.js';

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
    targets: inventoryTargets(loaded.hosts),
    ports: {
      ...base.ports,
      tcp: inv.ports.tcp,
      udp: inv.ports.udp,
      groups: inv.ports.groups,
      excludePorts: inv.ports.exclude,
    },
    communities: inv.snmp?.communities ?? base.communities,
    ...(inv.snmp?.v3Users?.length
      ? {
          protocolOptions: {
            ...base.protocolOptions,
            snmp: { ...base.protocolOptions?.snmp, v3Users: inv.snmp.v3Users },
          },
        }
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
