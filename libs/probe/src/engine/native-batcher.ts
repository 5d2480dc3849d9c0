import { availableParallelism } from 'node:os';

import type { Observation } from '@fleetqry/contracts';
import { CellState, type BatchScanResult } from '@fleetqry/probe-native';

import type { EngineContext } from './engine-context.js';
import { excluded, type PortList } from './host-cursor.js';
import { MAX_TCP_ATTEMPTS } from './loss-monitor.js';
import { observe, type PortProbeOptions, type ProbeTarget } from './port-probe.js';
import type { TimingOptions } from './rtt-estimator.js';
import {
  cellStateResult,
  ipv4ToUint32,
  loadBatchEngine,
  type BatchEngine,
  type TcpEngineChoice,
} from './tcp-engine.js';

/**
 * Cells per native batch (bounds a batch's memory and the burst of events it yields), and batches
 * in flight at once (they split the batches' share of the limits; queued hosts are dealt evenly among
 * the free ones). A batch ends with the retransmissions of its last silent cells, a tail that grows with
 * loss (more attempts): 128 Ki cells (about 6 MB in C) put a 100-host × 1024-port scan in one SYN batch,
 * one tail instead of two. SYN batches run one at a time: on the lab (2 cores) two overlapping ones cost
 * more CPU than they saved in waiting. connect() batches run one per core (up to 4): their cost is the
 * kernel's work per connection (socket, handshake or reset, close), which runs in parallel; two on 2
 * cores took a 102,400-cell scan from 3.4-3.8 s to 2.6-2.8 s. FLEETQRY_BATCH_CELLS / FLEETQRY_BATCHES
 * override them for measurements.
 */
const BATCH_CELLS = Number(process.env.FLEETQRY_BATCH_CELLS) || 131_072;
const batchesFor = (kind: BatchEngine['kind']): number =>
  Number(process.env.FLEETQRY_BATCHES) || (kind === 'syn' ? 1 : Math.min(availableParallelism(), 4));

/** Where a batch's results go. */
export interface BatchSink<H> {
  observation(observation: Observation): void;
  /** The batch is done with `host`; `leftover`: its batched ports it did not decide, for the per-socket path. */
  hostSettled(host: H, leftover: number[]): void;
  /** A batch has finished (its hosts settled): its share of the limits is free again. */
  batchDone(): void;
}

export interface NativeBatcherOptions extends Pick<
  PortProbeOptions,
  'pluginFor' | 'serviceName' | 'waitFactor'
> {
  ports: { tcp: PortList; udp: PortList };
  /** The scan's limits in force (a fixed source port allows one probe at a time). */
  limits: { concurrency: number; perHost: number; ratePerSecond: number };
  timing: Pick<TimingOptions, 'minTimeoutMs' | 'maxTimeoutMs'>;
  sourcePort?: number;
  tcpEngine?: TcpEngineChoice;
  signal?: AbortSignal;
  /** Cells per batch and batches at once (tests; defaults above). */
  batchCells?: number;
  batches?: number;
}

/**
 * Feeds the native batch scan (tcp-engine.ts: SYN or connect): it takes the TCP state probes of IPv4
 * hosts on ports without a protocol query, in multi-host batches (queued hosts × the batched ports);
 * everything else stays on the per-socket and datagram paths. While a batch runs it gets a share of each
 * limit (concurrency, per host, rate) and the other probes the rest (HostCaps), so that together they
 * stay within what the user set. A batch that fails outright (EPERM in a sandbox, a taken -sp port, …)
 * turns the engine off for the rest of the scan: its hosts' ports, and every later host's, go to the
 * per-socket connect() path (which reports -sp conflicts).
 */
export class NativeBatcher<H extends { readonly target: ProbeTarget }> {
  /** TCP ports the batches decide, indexed by port (1 = a batched port): the per-socket path skips them. */
  readonly mask = new Uint8Array(65_536);
  /** The batches' share of the scan's concurrency and per-host cap while a batch runs. */
  readonly concurrency: number;
  readonly perHost: number;
  private readonly share: number;
  private readonly batches: number;
  private readonly batchCells: number;
  private readonly queue: H[] = [];
  private readonly cancels = new Set<Int32Array>();
  private running = 0;
  private native: BatchEngine | undefined;
  /** Which native scan the batches run. */
  readonly kind: BatchEngine['kind'];

  constructor(
    native: BatchEngine,
    private readonly ports: Uint16Array,
    private readonly ctx: EngineContext,
    private readonly opts: NativeBatcherOptions,
    private readonly sink: BatchSink<H>,
  ) {
    this.native = native;
    this.kind = native.kind;
    for (const p of ports) this.mask[p] = 1;
    const { limits } = opts;
    const jsWork = opts.ports.udp.size > 0 || ports.length < opts.ports.tcp.size;
    this.share = jsWork ? 0.5 : 0.75;
    this.concurrency = Math.max(1, Math.floor(limits.concurrency * this.share));
    this.perHost = Math.max(1, Math.floor(limits.perHost * this.share));
    // Concurrent batches split the share; a fixed source port can be reserved by one batch only.
    this.batches =
      opts.sourcePort !== undefined
        ? 1
        : Math.max(1, Math.min(opts.batches ?? batchesFor(native.kind), this.concurrency));
    this.batchCells = opts.batchCells ?? BATCH_CELLS;
  }

  /** The native batcher of a scan, or undefined when the native engine cannot or need not be used. */
  static async open<H extends { readonly target: ProbeTarget }>(
    ctx: EngineContext,
    opts: NativeBatcherOptions,
    sink: BatchSink<H>,
  ): Promise<NativeBatcher<H> | undefined> {
    const { loss } = ctx;
    // The native scan allows 1..MAX_TCP_ATTEMPTS attempts per cell.
    if (loss.minAttempts < 1 || loss.maxAttempts > MAX_TCP_ATTEMPTS) return undefined;
    const native = await loadBatchEngine(opts.tcpEngine);
    // A fixed source port allows one connection at a time: the per-socket path's job.
    if (!native || (native.kind === 'connect' && opts.sourcePort !== undefined)) return undefined;
    const ports: number[] = [];
    for (const p of opts.ports.tcp) if (!opts.pluginFor('tcp', p)) ports.push(p);
    if (ports.length === 0) return undefined;
    return new NativeBatcher(native, Uint16Array.from(ports), ctx, opts, sink);
  }

  /** Whether `target`'s batched ports go through the batches (IPv4, and the engine still on). */
  accepts(target: ProbeTarget): boolean {
    return this.native !== undefined && target.family === 4 && ipv4ToUint32(target.address) !== undefined;
  }

  /** Concurrency the running batches hold now. */
  get reserved(): number {
    return this.running > 0 ? this.concurrency : 0;
  }

  enqueue(host: H): void {
    this.queue.push(host);
  }

  /** Starts queued batches, as many at once as allowed. */
  launch(): void {
    while (this.running < this.batches && this.queue.length > 0) {
      const native = this.native;
      if (!native) return this.settle(this.queue.splice(0, this.queue.length)); // turned off: all per socket
      const even = Math.ceil(this.queue.length / (this.batches - this.running));
      const hosts = Math.max(1, Math.min(even, Math.floor(this.batchCells / this.ports.length)));
      this.start(native, this.queue.splice(0, hosts));
    }
  }

  /** Stops: nothing more starts, running batches are cancelled (their cells come back undecided). */
  close(): void {
    this.queue.length = 0;
    for (const cancel of this.cancels) Atomics.store(cancel, 0, 1);
  }

  private start(native: BatchEngine, batch: H[]): void {
    const { ctx, opts, ports } = this;
    const { limits } = opts;
    const np = ports.length;
    const targets = new Uint32Array(batch.length);
    let exclude: Uint8Array | undefined;
    batch.forEach((host, t) => {
      targets[t] = ipv4ToUint32(host.target.address)!;
      const ex = host.target.exclude?.tcp;
      if (ex?.length) {
        exclude ??= new Uint8Array(batch.length * np);
        for (let k = 0; k < np; k++) if (excluded(ex, ports[k]!)) exclude[t * np + k] = 1;
      }
    });
    const cancel = new Int32Array(1);
    this.cancels.add(cancel);
    const onAbort = () => Atomics.store(cancel, 0, 1);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    this.running++;
    if (limits.ratePerSecond > 0) ctx.rate.share = 1 - this.share;
    const { loss } = ctx;
    native
      .scan({
        targets,
        ports,
        exclude,
        timeoutMs: ctx.rtt.timeoutFor(batch[0]!.target.address) / opts.waitFactor,
        minTimeoutMs: opts.timing.minTimeoutMs,
        maxTimeoutMs: opts.timing.maxTimeoutMs,
        waitFactor: opts.waitFactor,
        attempts: loss.minAttempts,
        maxAttempts: loss.maxAttempts,
        priorAnswered: loss.answered,
        priorRetried: loss.retried,
        ratePerSecond: limits.ratePerSecond > 0 ? (limits.ratePerSecond * this.share) / this.batches : 0,
        concurrency: Math.max(1, Math.floor(this.concurrency / this.batches)),
        perHost: this.perHost,
        sourcePort: opts.sourcePort,
        cancel,
      })
      .then(
        (r) => this.finish(batch, r),
        () => {
          this.native = undefined;
          this.finish(batch);
        },
      )
      .finally(() => {
        this.cancels.delete(cancel);
        opts.signal?.removeEventListener('abort', onAbort);
      });
  }

  private finish(batch: H[], result?: BatchScanResult): void {
    this.settle(batch, result);
    if (--this.running === 0) this.ctx.rate.share = 1;
    this.sink.batchDone();
  }

  /** Records a batch's states; cells it did not decide (or all, without states) go back to the per-socket path. */
  private settle(batch: H[], result?: BatchScanResult): void {
    const { ctx, opts, ports, sink } = this;
    const states = result?.states;
    const rtts = result?.rttMs;
    if (result) ctx.loss.absorb(result);
    const np = ports.length;
    batch.forEach((host, t) => {
      const { target } = host;
      const leftover: number[] = [];
      for (let k = 0; k < np; k++) {
        const i = t * np + k;
        const port = ports[k]!;
        const code = states ? states[i]! : 0;
        if (code === CellState.EXCLUDED || (!states && excluded(target.exclude?.tcp, port))) continue;
        const s = cellStateResult(code, rtts ? rtts[i]! : NaN);
        if (!s) {
          leftover.push(port); // undecided (deadline) or a local send error: the per-socket path decides
          continue;
        }
        if (s.rttMs !== undefined) ctx.rtt.record(target.address, s.rttMs);
        sink.observation(observe(opts, target, 'tcp', port, s));
      }
      sink.hostSettled(host, leftover);
    });
  }
}
