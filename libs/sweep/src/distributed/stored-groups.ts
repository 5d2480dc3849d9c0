import { GroupCatalog } from '@fleetqry/probe';

/** A service group as the store keeps it: ports in the CLI's port syntax. */
export interface StoredGroup {
  name: string;
  description?: string | null;
  tcp?: string | null;
  udp?: string | null;
}

/**
 * The built-in groups plus the stored ones, as one catalog: what a scan definition is validated against
 * and what its plan expands, so a group that passed validation always plans.
 */
export function storedGroupCatalog(groups: readonly StoredGroup[]): GroupCatalog {
  return GroupCatalog.create(
    {
      groups: Object.fromEntries(
        groups.map((g) => [
          g.name,
          {
            ...(g.tcp ? { tcp: g.tcp } : {}),
            ...(g.udp ? { udp: g.udp } : {}),
            ...(g.description ? { description: g.description } : {}),
          },
        ]),
      ),
    },
    'stored service groups',
  );
}
