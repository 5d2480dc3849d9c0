import type { StateResult } from './tcp-probe.js';

/**
 * The optional raw-socket SYN scan (`@fleetqry/probe-native`, a C addon). It decides TCP states for
 * whole batches of IPv4 hosts × ports in C, without a socket per probe. The engine uses it only when
 * the addon is built and loads, the process may open raw sockets (root or CAP_NET_RAW, probed once),
 * and FLEETQRY_TCP_ENGINE is not `connect`; everything else keeps the connect() path.
 *
 * The addon is imported by name at run time (never at build time), so the probe lib builds, loads
 * and works without it.
 */
export interface SynNative {
  synScan(req: {
    targets: Uint32Array;
    ports: Uint16Array;
    exclude?: Uint8Array;
    timeoutMs?: number;
    minTimeoutMs?: number;
    maxTimeoutMs?: number;
    waitFactor?: number;
    attempts?: number;
    ratePerSecond?: number;
    concurrency?: number;
    perHost?: number;
    sourcePort?: number;
    deadlineMs?: number;
    cancel?: Int32Array;
  }): Promise<{ states: Uint8Array; rttMs: Float32Array; sourcePort: number }>;
  rawSocketError(): string | undefined;
}

/** The addon's per-cell codes (libs/probe-native SynState). */
export const SYN_UNPROBED = 0;
export const SYN_ERROR = 5;
export const SYN_EXCLUDED = 6;

const LISTENING: StateResult = Object.freeze({ state: 'LISTENING', reason: 'syn-ack' });
const NOT_LISTENING: StateResult = Object.freeze({ state: 'NOT LISTENING', reason: 'conn-refused' });
const SILENT: StateResult = Object.freeze({ state: 'FILTERED', reason: 'timeout' });
const UNREACHABLE: StateResult = Object.freeze({ state: 'FILTERED', reason: 'host-unreachable' });

/** The state of a decided cell (same reasons as the connect path), or undefined for UNPROBED/ERROR/EXCLUDED. */
export function synStateResult(code: number, rttMs: number): StateResult | undefined {
  switch (code) {
    case 1:
      return Number.isNaN(rttMs) ? LISTENING : { state: 'LISTENING', reason: 'syn-ack', rttMs };
    case 2:
      return Number.isNaN(rttMs) ? NOT_LISTENING : { state: 'NOT LISTENING', reason: 'conn-refused', rttMs };
    case 3:
      return SILENT;
    case 4:
      return UNREACHABLE;
    default:
      return undefined;
  }
}

/** Dotted quad → host-order uint32 (the addon's target format), or undefined. */
export function ipv4ToUint32(address: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return undefined;
  let n = 0;
  for (let k = 1; k <= 4; k++) {
    const b = Number(m[k]);
    if (b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

export type TcpEngineChoice = 'auto' | 'connect';

let loading: Promise<SynNative | undefined> | undefined;

/** The SYN engine if it can be used in this process, else undefined. Never throws; probed once. */
export function loadSynEngine(choice: TcpEngineChoice = 'auto'): Promise<SynNative | undefined> {
  if (choice === 'connect' || process.env.FLEETQRY_TCP_ENGINE === 'connect')
    return Promise.resolve(undefined);
  return (loading ??= (async () => {
    try {
      const specifier = '@fleetqry/probe-native';
      const mod = (await import(specifier)) as { loadProbeNative?: () => SynNative | undefined };
      const native = mod.loadProbeNative?.();
      return native && native.rawSocketError() === undefined ? native : undefined;
    } catch {
      return undefined;
    }
  })());
}

/** Which TCP state engine a scan in this process would use (for diagnostics and tests). */
export async function tcpEngineName(choice: TcpEngineChoice = 'auto'): Promise<'syn' | 'connect'> {
  return (await loadSynEngine(choice)) ? 'syn' : 'connect';
}
