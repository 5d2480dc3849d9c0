import { PluginRegistry } from '../protocols/registry.js';
import { buildScanOptions, DEFAULT_UDP_QUIET_MIN_MS, type ScanConfig } from './scan-options.js';
import type { ScanOptions } from './scanner.js';

export { DEFAULT_UDP_QUIET_MIN_MS, type ScanConfig };

/** Live ScanOptions with the protocol plugins the config enables (loads every plugin module). */
export function createScanOptions(config: ScanConfig, signal?: AbortSignal): ScanOptions {
  const registry = new PluginRegistry(config.queries);
  return buildScanOptions(config, (proto, port) => registry.pluginFor(proto, port), signal);
}
