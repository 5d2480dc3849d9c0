import { setMaxListeners } from 'node:events';

import { type PortRange, PortSet, type Proto } from '@fleetqry/contracts';

import { commonProtocolOptions, type ProtocolOptions } from '../protocols/options.js';
import type { ProtocolPlugin } from '../protocols/plugin.js';
import { serviceName } from '../ports/services.js';
import { scopesCheck, type ScopeConfig } from '../scope/scope.js';
import type { ScanOptions } from './scanner.js';

/**
 * On a host whose round trip is measured, silence to a UDP protocol query is final after its
 * retransmissions (one host timeout each), but never sooner than this: time for a slow service (an
 * SNMP agent busy elsewhere), which no round trip measures. The fixed window it replaces was 1 s.
 */
export const DEFAULT_UDP_QUIET_MIN_MS = 500;

/**
 * Everything a scan needs, as plain data: it crosses to worker threads (and later to worker pods)
 * and is turned into live ScanOptions on the other side. Holds communities in memory only; callers
 * must never log it or put it in a queue payload.
 */
export interface ScanConfig extends Pick<
  ScanOptions,
  | 'limits'
  | 'timing'
  | 'tcpAttempts'
  | 'tcpMaxAttempts'
  | 'udpAttempts'
  | 'sourcePort'
  | 'tcpEngine'
  | 'tcpQueryTimeoutMs'
  | 'udpQueryTimeoutMs'
  | 'udpQuietMinMs'
  | 'udpMode'
  | 'waitFactor'
> {
  /** As ranges; the live options hold PortSets. */
  ports: { tcp: readonly PortRange[]; udp: readonly PortRange[] };
  /** The rules; the live options hold the check. */
  scope: ScopeConfig;
  /**
   * The probing process's own scope (a worker's FLEETQRY_SCOPE_ALLOW), checked in addition to `scope`: a
   * job cannot widen what this process may reach.
   */
  localScope?: ScopeConfig;
  /** Protocol queries to run on matching ports: plugin names, or all. */
  queries: readonly string[] | 'all';
  /** The common options and each plugin's namespace; the registry gives a plugin only its own. */
  protocolOptions: ProtocolOptions;
}

/**
 * Live ScanOptions from a ScanConfig, given how plugins are looked up: the lookup is a parameter so a
 * worker thread of a scan without protocol queries never loads the protocol plugins.
 */
function buildScanOptions(
  config: ScanConfig,
  pluginFor: (proto: Proto, port: number) => ProtocolPlugin | undefined,
  signal?: AbortSignal,
): ScanOptions {
  const scopeCheck = scopesCheck([config.scope, ...(config.localScope ? [config.localScope] : [])]);
  // One scan-wide signal fans out to every in-flight protocol query (a listener each).
  if (signal) setMaxListeners(0, signal);
  return {
    ...config,
    ports: { tcp: PortSet.fromRanges(config.ports.tcp), udp: PortSet.fromRanges(config.ports.udp) },
    // Plugins' own options are bound in by the registry; the engine holds only the common ones.
    protocolOptions: commonProtocolOptions(config.protocolOptions),
    pluginFor,
    serviceName: (proto, port) => serviceName(port, proto),
    scopeCheck,
    signal,
  };
}

/** ScanOptions for a worker thread: the plugin registry is imported only when queries are enabled. */
export async function loadScanOptions(config: ScanConfig, signal?: AbortSignal): Promise<ScanOptions> {
  if (config.queries !== 'all' && config.queries.length === 0)
    return buildScanOptions(config, () => undefined, signal);
  const { PluginRegistry } = await import('../protocols/registry.js');
  const registry = new PluginRegistry(config.queries, config.protocolOptions);
  await registry.prepare();
  return buildScanOptions(config, (proto, port) => registry.pluginFor(proto, port), signal);
}
