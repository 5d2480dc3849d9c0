import { DEFAULT_BANNER_TIMEOUT_MS } from '../protocols/common/greeting-query.js';
import { DEFAULT_PROTOCOL_OPTIONS, type ProtocolContext, type ProtocolOptions } from '../protocols/plugin.js';

/** A ProtocolContext for tests against a peer at `address:port` (never a name to resolve). */
export function labContext(
  address: string,
  port: number,
  overrides: Partial<Omit<ProtocolContext, 'options'>> & { options?: Partial<ProtocolOptions> } = {},
): ProtocolContext {
  const { options, ...rest } = overrides;
  return {
    host: address,
    address,
    port,
    proto: 'tcp',
    timeoutMs: DEFAULT_BANNER_TIMEOUT_MS,
    signal: new AbortController().signal,
    ...rest,
    options: { ...DEFAULT_PROTOCOL_OPTIONS, ...options },
  };
}
