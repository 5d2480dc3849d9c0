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

/** Which TCP state engine a process gets, and why not the SYN engine when it does not (for its start-up log). */
export interface TcpEngineStatus {
  engine: 'syn' | 'connect';
  /** Why connect(): chosen, the addon missing from this build, or no raw socket (no root / CAP_NET_RAW). */
  reason?: string;
  /** connect() although the SYN engine was wanted (the addon or the capability is missing). */
  fallback: boolean;
}

let probed: { native: SynNative } | { reason: string } | undefined;

/** Loads the addon and opens a raw socket once per process. */
function probeNative(): { native: SynNative } | { reason: string } {
  if (probed === undefined) {
    const native = loadProbeNative();
    const rawError = native?.rawSocketError();
    probed = !native
      ? {
          reason:
            'the native SYN engine is not in this build (libs/probe-native/build/Release has no loadable addon)',
        }
      : rawError !== undefined
        ? { reason: `no raw socket (${rawError}): the SYN engine needs root or CAP_NET_RAW` }
        : { native };
  }
  return probed;
}

const chosenConnect = (choice: TcpEngineChoice) =>
  choice === 'connect' || process.env.FLEETQRY_TCP_ENGINE === 'connect';

/** The SYN engine if it can be used in this process, else undefined. Never throws; probed once. */
export function loadSynEngine(choice: TcpEngineChoice = 'auto'): Promise<SynNative | undefined> {
  if (chosenConnect(choice)) return Promise.resolve(undefined);
  const p = probeNative();
  return Promise.resolve('native' in p ? p.native : undefined);
}

/** Which TCP state engine a scan in this process would use, and why (for diagnostics, logs and tests). */
export function tcpEngineStatus(choice: TcpEngineChoice = 'auto'): Promise<TcpEngineStatus> {
  if (chosenConnect(choice))
    return Promise.resolve({
      engine: 'connect',
      reason: 'chosen (FLEETQRY_TCP_ENGINE=connect)',
      fallback: false,
    });
  const p = probeNative();
  return Promise.resolve(
    'native' in p
      ? { engine: 'syn', fallback: false }
      : { engine: 'connect', reason: p.reason, fallback: true },
  );
}

/** Which TCP state engine a scan in this process would use. */
export async function tcpEngineName(choice: TcpEngineChoice = 'auto'): Promise<'syn' | 'connect'> {
  return (await tcpEngineStatus(choice)).engine;
}
