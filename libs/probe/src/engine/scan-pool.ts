import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { compactEvents } from './compact-events.js';
import type { ProbeTarget } from './port-probe.js';
import type { ScanConfig } from './scan-options.js';
import { loadScanOptions } from './scan-options.js';
import type { FromWorker, ToWorker, WorkerInit } from './scan-worker-protocol.js';
import { scan, type ScanEvent } from './scanner.js';
import { loadBatchEngine } from './tcp-engine.js';
import { SourcePortInUseError } from './tcp-connect.js';

export interface ScanRunOptions {
  /** Worker threads; default: one per core when the scan is big enough to be CPU-bound. */
  workers?: number;
  /** Expected probe count, used to decide whether threads are worth their start-up cost. */
  expectedProbes?: number;
  signal?: AbortSignal;
  /**
   * Plain closed ports as per-host `coverage` events instead of observations, compacted in the scan threads
   * (store-bound transports: nothing downstream needs them one by one).
   */
  compact?: boolean;
  /**
   * Keep the scan off the main thread even when one thread is enough (big scans only): for a caller whose
   * main thread has other work, such as the embedded sweep's database (WebAssembly on the main thread).
   */
  ownThread?: boolean;
}

/** Below this many probes a single thread finishes before extra threads have started. */
const MIN_PROBES_FOR_THREADS = 8192;

/** Targets a thread holds, in host groups: its active group plus a queue for when the main thread is busy. */
const QUEUED_GROUPS = 8;

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
 * its per-host limit and round-trip estimate stay in one place); each thread scans at most its share
 * of the host group and holds a queue of a few groups' worth of targets, topped up as it finishes
 * hosts, so the target stream is still consumed lazily and a busy main thread does not starve it.
 */
export async function* runScan(
  targets: AsyncIterable<ProbeTarget> | Iterable<ProbeTarget>,
  config: ScanConfig,
  opts: ScanRunOptions = {},
): AsyncGenerator<ScanEvent[]> {
  let n = threadCount(config, opts);
  // A TCP-only scan whose ports have no protocol query, on the native engine, runs its batches on a
  // libuv thread already; extra JS threads would only add start-up and message-copying cost (and take the
  // CPU that the kernel's packet handling and the rest of a sweep need).
  if (
    n > 1 &&
    opts.workers === undefined &&
    (await statesOnly(config)) &&
    (await loadBatchEngine(config.tcpEngine))
  )
    n = 1;
  // Under ts-jest or tsx the worker module is TypeScript source that a bare worker cannot load.
  const canThread = workerUrl.pathname.endsWith('.js') && existsSync(fileURLToPath(workerUrl));
  // A small scan is done before a thread would have loaded the probe library.
  const offMain = opts.ownThread === true && (opts.expectedProbes ?? 0) >= MIN_PROBES_FOR_THREADS;
  if (!canThread || (n === 1 && !offMain)) {
    // Plugins are loaded only when queries are enabled (as in the worker threads).
    const events = scan(targets, await loadScanOptions(config, opts.signal));
    yield* opts.compact ? compactEvents(events) : events;
    return;
  }
  yield* pooled(targets, share(config, n), n, opts.signal, opts.compact === true);
}

/** TCP only, and no enabled protocol query applies to any of its ports. */
async function statesOnly(config: ScanConfig): Promise<boolean> {
  if (config.ports.udp.length > 0) return false;
  if (config.queries !== 'all' && config.queries.length === 0) return true;
  const { PluginRegistry } = await import('../protocols/registry.js');
  return !new PluginRegistry(config.queries).queriesAny('tcp', config.ports.tcp);
}

async function* pooled(
  targets: AsyncIterable<ProbeTarget> | Iterable<ProbeTarget>,
  config: ScanConfig,
  n: number,
  signal: AbortSignal | undefined,
  compact: boolean,
): AsyncGenerator<ScanEvent[]> {
  const source =
    Symbol.asyncIterator in targets ? targets[Symbol.asyncIterator]() : targets[Symbol.iterator]();
  const init: WorkerInit = { config, compact };
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
      // Targets go out in one message per thread and round (a message per host costs the main thread more
      // than the thread's scanning of it).
      const due = new Map<(typeof workers)[number], ProbeTarget[]>();
      for (;;) {
        const w = workers.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
        if (w.outstanding >= config.limits.hostGroupSize * QUEUED_GROUPS) break;
        const r = await source.next();
        if (r.done) {
          sourceDone = true;
          break;
        }
        w.outstanding++;
        const list = due.get(w);
        if (list) list.push(r.value);
        else due.set(w, [r.value]);
      }
      for (const [w, targets] of due) post(w, { type: 'targets', targets });
      if (sourceDone) for (const x of workers) post(x, { type: 'end' });
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
