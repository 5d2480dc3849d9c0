import {
  CellState,
  loadProbeNative,
  type BatchScanRequest,
  type BatchScanResult,
  type ProbeNative,
} from '@fleetqry/probe-native';

import type { StateResult } from './tcp-probe.js';

export { ipv4ToUint32 } from '@fleetqry/probe-native';

/**
 * Which engine decides TCP states, and the native batch scan it runs on (`@fleetqry/probe-native`, a C
 * addon that decides whole batches of IPv4 hosts × ports without a JavaScript object per probe):
 *  - `syn`: raw-socket SYN probes, when the addon loads and the process may open raw sockets (root or
 *    CAP_NET_RAW, probed once): the default;
 *  - `connect`: one connect() per attempt, as an unprivileged user gets (FLEETQRY_TCP_ENGINE=connect or
 *    no raw socket). It runs in the addon's connect batches when the addon loads, else (not built,
 *    another platform, FLEETQRY_NATIVE=0) on the per-socket path (tcp-probe.ts), which also serves
 *    IPv6 hosts, a fixed source port and ports with a protocol query in every case.
 * The package's JavaScript is always there; only its binary is optional, and it is loaded on first use.
 */
export interface BatchEngine {
  kind: 'syn' | 'connect';
  scan(req: BatchScanRequest): Promise<BatchScanResult>;
}

const LISTENING: StateResult = Object.freeze({ state: 'LISTENING', reason: 'syn-ack' });
const NOT_LISTENING: StateResult = Object.freeze({ state: 'NOT LISTENING', reason: 'conn-refused' });
const SILENT: StateResult = Object.freeze({ state: 'FILTERED', reason: 'timeout' });
const UNREACHABLE: StateResult = Object.freeze({ state: 'FILTERED', reason: 'host-unreachable' });

/** The state of a decided cell (same reasons as the per-socket path), or undefined for UNPROBED/ERROR/EXCLUDED. */
export function cellStateResult(code: number, rttMs: number): StateResult | undefined {
  switch (code) {
    case CellState.LISTENING:
      return Number.isNaN(rttMs) ? LISTENING : { state: 'LISTENING', reason: 'syn-ack', rttMs };
    case CellState.NOT_LISTENING:
      return Number.isNaN(rttMs) ? NOT_LISTENING : { state: 'NOT LISTENING', reason: 'conn-refused', rttMs };
    case CellState.FILTERED:
      return SILENT;
    case CellState.UNREACHABLE:
      return UNREACHABLE;
    default:
      return undefined;
  }
}

export type TcpEngineChoice = 'auto' | 'connect';

/** Which TCP state engine a process gets, and why not the SYN engine when it does not (for its start-up log). */
export interface TcpEngineStatus {
  engine: 'syn' | 'connect';
  /** States are decided in the addon's batches (else one connect() at a time from JavaScript). */
  batched: boolean;
  /** Why connect(): chosen, the addon missing from this build, or no raw socket (no root / CAP_NET_RAW). */
  reason?: string;
  /** connect() although the SYN engine was wanted (the addon or the capability is missing). */
  fallback: boolean;
}

type Probed = { native: ProbeNative; rawError?: string } | { missing: string };
let probed: Probed | undefined;

/** Loads the addon and opens a raw socket once per process. */
function probeNative(): Probed {
  if (probed === undefined) {
    const native = loadProbeNative();
    probed = native
      ? { native, rawError: native.rawSocketError() }
      : {
          missing:
            'the native engine is not in this build or is turned off (libs/probe-native/build/Release has no loadable addon, or FLEETQRY_NATIVE=0)',
        };
  }
  return probed;
}

const chosenConnect = (choice: TcpEngineChoice) =>
  choice === 'connect' || process.env.FLEETQRY_TCP_ENGINE === 'connect';

/** Which TCP state engine a scan in this process would use, and why (for diagnostics, logs and tests). */
export function tcpEngineStatus(choice: TcpEngineChoice = 'auto'): Promise<TcpEngineStatus> {
  const p = probeNative();
  const batched = 'native' in p;
  if (chosenConnect(choice))
    return Promise.resolve({
      engine: 'connect',
      batched,
      reason: 'chosen (FLEETQRY_TCP_ENGINE=connect)',
      fallback: false,
    });
  if ('missing' in p)
    return Promise.resolve({ engine: 'connect', batched, reason: p.missing, fallback: true });
  if (p.rawError !== undefined)
    return Promise.resolve({
      engine: 'connect',
      batched,
      reason: `no raw socket (${p.rawError}): the SYN engine needs root or CAP_NET_RAW`,
      fallback: true,
    });
  return Promise.resolve({ engine: 'syn', batched, fallback: false });
}

/** The native batch scan a scan in this process would use, or undefined for the per-socket path. Never throws. */
export async function loadBatchEngine(choice: TcpEngineChoice = 'auto'): Promise<BatchEngine | undefined> {
  const p = probeNative();
  if (!('native' in p)) return undefined;
  const { native } = p;
  return (await tcpEngineStatus(choice)).engine === 'syn'
    ? { kind: 'syn', scan: (req) => native.synScan(req) }
    : { kind: 'connect', scan: (req) => native.connectScan(req) };
}

/** Which TCP state engine a scan in this process would use. */
export async function tcpEngineName(choice: TcpEngineChoice = 'auto'): Promise<'syn' | 'connect'> {
  return (await tcpEngineStatus(choice)).engine;
}
