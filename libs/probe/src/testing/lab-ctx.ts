import { DEFAULT_BANNER_TIMEOUT_MS } from '../protocols/common/greeting-query.js';
import {
  DEFAULT_COMMON_OPTIONS,
  DEFAULT_PROTOCOL_OPTIONS,
  type PluginOptionsByName,
} from '../protocols/options.js';
import type { PluginOptions, ProtocolContext } from '../protocols/plugin.js';

/** The defaults a plugin sees (as the registry binds them): the common options and its own namespace. */
export function pluginDefaults<K extends keyof PluginOptionsByName>(
  name: K,
): PluginOptions<PluginOptionsByName[K]> {
  return { ...DEFAULT_COMMON_OPTIONS, ...DEFAULT_PROTOCOL_OPTIONS[name] };
}

/** A ProtocolContext for tests against a peer at `address:port` (never a name to resolve). */
export function labContext(
  address: string,
  port: number,
  overrides: Partial<ProtocolContext> = {},
): ProtocolContext {
  return {
    host: address,
    address,
    port,
    proto: 'tcp',
    timeoutMs: DEFAULT_BANNER_TIMEOUT_MS,
    signal: new AbortController().signal,
    ...overrides,
    options: { ...DEFAULT_COMMON_OPTIONS, ...overrides.options },
  };
}
