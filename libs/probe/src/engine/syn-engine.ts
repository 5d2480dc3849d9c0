import { loadProbeNative, SynState, type ProbeNative } from '@fleetqry/probe-native';

import type { StateResult } from './tcp-probe.js';

export { ipv4ToUint32 } from '@fleetqry/probe-native';

/**
 * The optional raw-socket SYN scan (`@fleetqry/probe-native`, a C addon). It decides TCP states for
 * whole batches of IPv4 hosts × ports in C, without a socket per probe. The engine uses it only when
 * the addon is built and loads, the process may open raw sockets (root or CAP_NET_RAW, probed once),
 * and FLEETQRY_TCP_ENGINE is not `connect`; everything else keeps the connect() path. The package's
 * JavaScript is always there; only its binary is optional, and it is loaded on first use.
 */
export type SynNative = Pick<ProbeNative, 'synScan' | 'rawSocketError'>;

const LISTENING: StateResult = Object.freeze({ state: 'LISTENING', reason: 'syn-ack' });
const NOT_LISTENING: StateResult = Object.freeze({ state: 'NOT LISTENING', reason: 'conn-refused' });
const SILENT: StateResult = Object.freeze({ state: 'FILTERED', reason: 'timeout' });
const UNREACHABLE: StateResult = Object.freeze({ state: 'FILTERED', reason: 'host-unreachable' });

/** The state of a decided cell (same reasons as the connect path), or undefined for UNPROBED/ERROR/EXCLUDED. */
export function synStateResult(code: number, rttMs: number): StateResult | undefined {
  switch (code) {
    case SynState.LISTENING:
      return Number.isNaN(rttMs) ? LISTENING : { state: 'LISTENING', reason: 'syn-ack', rttMs };
    case SynState.NOT_LISTENING:
      return Number.isNaN(rttMs) ? NOT_LISTENING : { state: 'NOT LISTENING', reason: 'conn-refused', rttMs };
    case SynState.FILTERED:
      return SILENT;
    case SynState.UNREACHABLE:
      return UNREACHABLE;
    default:
      return undefined;
  }
}

export type TcpEngineChoice = 'auto' | 'connect';

let probed: SynNative | null | undefined;

/** The SYN engine if it can be used in this process, else undefined. Never throws; probed once. */
export function loadSynEngine(choice: TcpEngineChoice = 'auto'): Promise<SynNative | undefined> {
  if (choice === 'connect' || process.env.FLEETQRY_TCP_ENGINE === 'connect')
    return Promise.resolve(undefined);
  if (probed === undefined) {
    const native = loadProbeNative();
    probed = native && native.rawSocketError() === undefined ? native : null;
  }
  return Promise.resolve(probed ?? undefined);
}

/** Which TCP state engine a scan in this process would use (for diagnostics and tests). */
export async function tcpEngineName(choice: TcpEngineChoice = 'auto'): Promise<'syn' | 'connect'> {
  return (await loadSynEngine(choice)) ? 'syn' : 'connect';
}
