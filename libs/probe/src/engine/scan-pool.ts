import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { ProbeTarget } from './port-probe.js';
import type { ScanConfig } from './scan-config.js';
import { loadScanOptions } from './scan-options.js';
import type { FromWorker, ToWorker, WorkerInit } from './scan-worker-protocol.js';
import { scan, type ScanEvent } from './scanner.js';
import { loadSynEngine } from './syn-engine.js';
import { SourcePortInUseError } from './tcp-connect.js';

export interface ScanRunOptions {
  /** Worker threads; default: one per core when the scan is big enough to be CPU-bound. */
  workers?: number;
  /** Expected probe count, used to decide whether threads are worth their start-up cost. */
  expectedProbes?: number;
  signal?: AbortSignal;
}

/** Below this many probes a single thread finishes before extra threads have started. */
const MIN_PROBES_FOR_THREADS = 8192;

const workerUrl = new URL('./scan-worker.js', import.meta.url);

function threadCount(config: ScanConfig, opts: ScanRunOptions): number {
  if (config.sourcePort !== undefined) return 1; // one fixed source port cannot be shared
  if (opts.workers !== undefined) return Math.max(1, opts.workers);
  if ((opts.expectedProbes ?? 0) < MIN_PROBES_FOR_THREADS) return 1;
  return Math.max(1, Math.min(availableParallelism(), 4));
}

/** Divides the scan-wide limits among threads so the whole stays within what the user set. */
function share(config: ScanConfig, n: number): ScanConfig {
  const l = config.limits;
  return {
    ...config,
    limits: {
      ...l,
      concurrency: Math.max(1, Math.floor(l.concurrency / n)),
      ratePerSecond: l.ratePerSecond > 0 ? l.ratePerSecond / n : 0,
      hostGroupSize: Math.max(1, Math.ceil(l.hostGroupSize / n)),
    },
  };
}

/**
 * Runs a scan on one thread or several. Hosts are dealt to threads (a host never spans threads, so
 * its per-host limit and round-trip estimate stay in one place); each thread holds at most its share
 * of the host group, and gets the next target only as it finishes hosts, so the target stream is
 * still consumed lazily.
 */
export async function* runScan(
  targets: AsyncIterable<ProbeTarget> | Iterable<ProbeTarget>,
  config: ScanConfig,
  opts: ScanRunOptions = {},
): AsyncGenerator<ScanEvent[]> {
  let n = threadCount(config, opts);
  // A TCP-only scan without protocol queries on the native SYN engine runs its batches on a libuv
  // thread already; extra JS threads would only add start-up and message-copying cost.
  const tcpOnly = config.ports.udp.length === 0 && config.queries !== 'all' && config.queries.length === 0;
  if (n > 1 && opts.workers === undefined && tcpOnly && (await loadSynEngine(config.tcpEngine))) n = 1;
  // Under ts-jest or tsx the worker module is TypeScript source that a bare worker cannot load.
  const canThread = workerUrl.pathname.endsWith('.js') && existsSync(fileURLToPath(workerUrl));
  if (n === 1 || !canThread) {
    // Plugins are loaded only when queries are enabled (as in the worker threads).
    yield* scan(targets, await loadScanOptions(config, opts.signal));
    return;
  }
  yield* pooled(targets, share(config, n), n, opts.signal);
}

async function* pooled(
  targets: AsyncIterable<ProbeTarget> | Iterable<ProbeTarget>,
  config: ScanConfig,
  n: number,
  signal?: AbortSignal,
): AsyncGenerator<ScanEvent[]> {
  const source = (
    Symbol.asyncIterator in targets ? targets[Symbol.asyncIterator]() : targets[Symbol.iterator]()
  ) as AsyncIterator<ProbeTarget> | Iterator<ProbeTarget>;
  const init: WorkerInit = { config };
  const workers = Array.from({ length: n }, () => ({
    thread: new Worker(workerUrl, { workerData: init }),
    outstanding: 0,
    done: false,
  }));
  const batches: ScanEvent[][] = [];
  let failure: Error | undefined;
  let sourceDone = false;
  let feeding = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const post = (w: (typeof workers)[number], msg: ToWorker) => w.thread.postMessage(msg);

  // Keeps every thread's share of hosts topped up from the (lazy) target stream.
  const feed = async () => {
    if (feeding || sourceDone) return;
    feeding = true;
    try {
      for (;;) {
        const w = workers.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
        if (w.outstanding >= config.limits.hostGroupSize) break;
        const r = await source.next();
        if (r.done) {
          sourceDone = true;
          for (const x of workers) post(x, { type: 'end' });
          break;
        }
        w.outstanding++;
        post(w, { type: 'targets', targets: [r.value] });
      }
    } catch (e) {
      failure = e instanceof Error ? e : new Error(String(e));
    } finally {
      feeding = false;
      notify();
    }
  };

  for (const w of workers) {
    w.thread.on('message', (msg: FromWorker) => {
      if (msg.type === 'events') {
        for (const e of msg.events) if (e.type === 'host-done' || e.type === 'host-refused') w.outstanding--;
        batches.push(msg.events);
        void feed();
      } else if (msg.type === 'failed') {
        failure =
          msg.name === 'SourcePortInUseError'
            ? new SourcePortInUseError(config.sourcePort ?? 0)
            : new Error(msg.message);
      } else w.done = true;
      notify();
    });
    w.thread.on('error', (e) => {
      failure = e;
      notify();
    });
    w.thread.on('exit', () => {
      if (!w.done && !failure) failure = new Error('a scan worker thread exited early');
      w.done = true;
      notify();
    });
  }
  const onAbort = () => {
    failure = signal?.reason instanceof Error ? signal.reason : new Error('aborted');
    notify();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    await feed();
    for (;;) {
      if (failure) throw failure;
      if (batches.length) {
        yield batches.shift()!;
        continue;
      }
      if (workers.every((w) => w.done)) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.thread.terminate()));
  }
}
