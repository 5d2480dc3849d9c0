import type { ProbeTarget } from './port-probe.js';
import type { ScanConfig } from './scan-options.js';
import type { ScanEvent } from './scanner.js';

/** Messages between the scan pool (main thread) and its worker threads. */
export type ToWorker = { type: 'targets'; targets: ProbeTarget[] } | { type: 'end' };

export type FromWorker =
  | { type: 'events'; events: ScanEvent[] }
  | { type: 'failed'; name: string; message: string }
  | { type: 'finished' };

export interface WorkerInit {
  config: ScanConfig;
  /** Compact plain closed ports into per-host coverage in the thread (see compact-events.ts). */
  compact: boolean;
}
