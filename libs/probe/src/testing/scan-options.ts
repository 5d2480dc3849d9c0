/**
 * Test helper (engine specs only): ScanOptions with loopback-only scope, no protocol plugins and
 * short waits, so each spec states only what it is about; and the small pieces every engine spec needs.
 */
import { DEFAULT_COMMON_OPTIONS } from '../protocols/options.js';
import { DEFAULT_TIMING } from '../engine/rtt-estimator.js';
import type { PortList } from '../engine/host-cursor.js';
import { DEFAULT_LIMITS, type ScanEvent, type ScanOptions } from '../engine/scanner.js';

export function portList(ports: readonly number[]): PortList {
  return Object.assign([...ports], { size: ports.length });
}

export function testScanOptions(over: Partial<ScanOptions> = {}): ScanOptions {
  return {
    ports: { tcp: portList([]), udp: portList([]) },
    limits: DEFAULT_LIMITS,
    timing: { ...DEFAULT_TIMING, minTimeoutMs: 50, initialTimeoutMs: 200 },
    tcpAttempts: 2,
    udpAttempts: 2,
    scopeCheck: (a) => (a.startsWith('127.') ? undefined : 'outside 127.0.0.0/8'),
    pluginFor: () => undefined,
    serviceName: () => undefined,
    protocolOptions: DEFAULT_COMMON_OPTIONS,
    tcpQueryTimeoutMs: 1000,
    udpQueryTimeoutMs: 200,
    udpQuietMinMs: 100,
    udpMode: 'fast',
    waitFactor: 1,
    ...over,
  };
}

export async function collectEvents(it: AsyncIterable<ScanEvent[]>): Promise<ScanEvent[]> {
  const out: ScanEvent[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}
