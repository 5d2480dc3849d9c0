import { shownCommunity, type Observation } from '@fleetqry/contracts';

import { describePort } from '../ports/services.js';
import { PluginRegistry } from '../protocols/registry.js';

const registry = PluginRegistry.none();

/** `TCP port 80 (http service): LISTENING`, exactly as PortQry prints it. */
export function portLine(
  obs: Pick<Observation, 'proto' | 'port' | 'state'>,
  state: string = obs.state,
): string {
  return `${describePort(obs.port, obs.proto)}: ${state}`;
}

/** PortQry's verdict after a UDP protocol query: `UDP port 389 is LISTENING` (no service name). */
export function verdictLine(obs: Pick<Observation, 'proto' | 'port' | 'state'>): string {
  return `${obs.proto.toUpperCase()} port ${obs.port} is ${obs.state}`;
}

/**
 * The protocol query's detail lines (rootDSE attributes, communities, banner), from its plugin, for
 * people: an accepted community as `community` shows it (by default a secret is masked).
 */
export function detailLines(
  obs: Observation,
  community: (community: string) => string = shownCommunity,
): string[] {
  if (!obs.protocol) return [];
  const plugin = registry.byName(obs.protocol.name);
  return plugin ? plugin.describe(obs, { community }) : [];
}

/** PortQry's names where ours differ: LDAP over UDP is still "LDAP" to PortQry. */
const TITLES: Record<string, string> = { cldap: 'LDAP', mssql: 'SQL Server' };

/** PortQry's name for a query in "Sending SNMP query to UDP port 161...". */
export function queryTitle(obs: Observation): string {
  const name = obs.protocol?.name ?? '';
  return TITLES[name] ?? name.toUpperCase();
}
