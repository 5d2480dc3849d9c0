import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Per-cell result of a batch scan (SYN or connect). UNPROBED: not decided (deadline, cancel) — probe it another way;
 * EXCLUDED: masked out by the caller; ERROR: a local send error (EPERM from a local firewall, …).
 */
export const CellState = {
  UNPROBED: 0,
  LISTENING: 1,
  NOT_LISTENING: 2,
  FILTERED: 3,
  UNREACHABLE: 4,
  ERROR: 5,
  EXCLUDED: 6,
} as const;

export interface BatchScanRequest {
  /** IPv4 addresses as unsigned 32-bit integers in host order (127.0.0.1 = 0x7f000001). */
  targets: Uint32Array;
  ports: Uint16Array;
  /** Optional mask, targets.length × ports.length cells in target-major order: 1 = never probe. */
  exclude?: Uint8Array;
  /** First wait before anything has been measured in this batch (ms, before waitFactor). Default 1000. */
  timeoutMs?: number;
  /** Floor and ceiling of the RTT-adaptive wait (ms). Defaults 100 / 10000. */
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** Multiplies every wait (PortQry -sl doubles). Default 1. */
  waitFactor?: number;
  /** SYNs per cell before silence may be FILTERED (1..8). Default 2. */
  attempts?: number;
  /**
   * Up to this many SYNs (attempts..8) while answers keep needing retransmissions: the fewest k with
   * p^k <= 1e-7, p the estimated chance that an attempt goes unanswered. Default: `attempts` (fixed).
   */
  maxAttempts?: number;
  /** The scan's loss evidence from earlier batches (answered cells, those that needed a resend): seeds p. */
  priorAnswered?: number;
  priorRetried?: number;
  /** SYNs per second, retransmissions included; 0 = unlimited. */
  ratePerSecond?: number;
  /** Probes awaiting an answer at once, overall and per target. Defaults 256 / 64. */
  concurrency?: number;
  perHost?: number;
  /** Fixed source port; 0/absent = an ephemeral port reserved for the batch. synScan only. */
  sourcePort?: number;
  /** Hard stop for the batch (ms); cells undecided by then come back UNPROBED. Default: derived. */
  deadlineMs?: number;
  /** Set cancel[0] to non-zero (Atomics.store) to stop the batch early (rejects with ECANCELED). */
  cancel?: Int32Array;
}

export interface BatchScanResult {
  /** One CellState per cell, target-major: cell = targetIndex × ports.length + portIndex. */
  states: Uint8Array;
  /** Round trip of the answered attempt in ms, NaN when unknown (silence, or an answer to an earlier SYN). */
  rttMs: Float32Array;
  sourcePort: number;
  sent: number;
  retransmitted: number;
  received: number;
  /** Replies to our port that failed validation (not ours, wrong cookie). */
  rejected: number;
  /** Cells that answered; of them, those whose answer came only after a retransmission. */
  answered: number;
  retried: number;
  /** Answers to an earlier attempt after the last one had timed out (FILTERED overturned). */
  late: number;
  /** Cells FILTERED for silence after every attempt. */
  silent: number;
}

export interface ProbeNative {
  /**
   * A batch of raw-socket SYN probes (root or CAP_NET_RAW). The whole batch runs in C on a libuv worker
   * thread. Rejects with an Error whose `code` is an errno name.
   */
  synScan(req: BatchScanRequest): Promise<BatchScanResult>;
  /** The same batch over one non-blocking connect() per attempt (no privilege; no sourcePort). */
  connectScan(req: BatchScanRequest): Promise<BatchScanResult>;
  /** undefined when raw IPv4 sockets can be opened (root / CAP_NET_RAW), else the errno name. */
  rawSocketError(): string | undefined;
  abiVersion: number;
}

const BINARY = '../build/Release/fleetqry_probe_native.node';

/** Dotted quad → host-order uint32, or undefined for anything that is not a plain IPv4 address. */
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

let cached: ProbeNative | null | undefined;

/** FLEETQRY_NATIVE=0/off: build (build.mjs) and use no addon. */
const nativeDisabled = () => ['0', 'off'].includes(process.env.FLEETQRY_NATIVE ?? '');

/**
 * The addon, or undefined when it is not built, cannot load (other platform, ABI) or is disabled
 * (FLEETQRY_NATIVE=0 or off: the per-socket connect() path only). Never throws. `binaryUrl` is for tests.
 */
export function loadProbeNative(binaryUrl?: URL): ProbeNative | undefined {
  if (binaryUrl === undefined && cached !== undefined) return cached ?? undefined;
  let mod: ProbeNative | undefined;
  try {
    const url = binaryUrl ?? new URL(BINARY, import.meta.url);
    const path = fileURLToPath(url);
    if (!nativeDisabled() && existsSync(path)) {
      const m = createRequire(import.meta.url)(path) as Partial<ProbeNative>;
      if (
        typeof m.synScan === 'function' &&
        typeof m.connectScan === 'function' &&
        typeof m.rawSocketError === 'function'
      )
        mod = m as ProbeNative;
    }
  } catch {
    mod = undefined;
  }
  if (binaryUrl === undefined) cached = mod ?? null;
  return mod;
}
