import { PluginRegistry } from '../protocols/registry.js';
import { buildScanOptions, type ScanConfig } from './scan-options.js';
import type { ScanOptions } from './scanner.js';

export type { ScanConfig };

/** Live ScanOptions with the protocol plugins the config enables (loads every plugin module). */
export function createScanOptions(config: ScanConfig, signal?: AbortSignal): ScanOptions {
  const registry = new PluginRegistry(config.queries);
  return buildScanOptions(config, (proto, port) => registry.pluginFor(proto, port), signal);
}
