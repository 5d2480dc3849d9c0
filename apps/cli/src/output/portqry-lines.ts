import type { Observation } from '@fleetqry/contracts';
import { describePort, PluginRegistry } from '@fleetqry/probe';

const registry = PluginRegistry.none();

/** `TCP port 80 (http service): LISTENING`, exactly as PortQry prints it. */
export function portLine(
  obs: Pick<Observation, 'proto' | 'port' | 'state'>,
  state: string = obs.state,
): string {
  return `${describePort(obs.port, obs.proto)}: ${state}`;
}

/** The protocol query's detail lines (rootDSE attributes, communities, banner), from its plugin. */
export function detailLines(obs: Observation): string[] {
  if (!obs.protocol) return [];
  const plugin = registry.byName(obs.protocol.name);
  return plugin ? plugin.describe(obs) : [];
}

/** PortQry's name for a query in "Sending SNMP query to UDP port 161...". */
export function queryTitle(obs: Observation): string {
  return (obs.protocol?.name ?? '').toUpperCase();
}
