import type { Observation } from '@fleetqry/contracts';
import { SynState, type SynScanResult } from '@fleetqry/probe-native';

import type { EngineContext } from './engine-context.js';
import { excluded, type PortList } from './host-cursor.js';
import { MAX_TCP_ATTEMPTS } from './loss-monitor.js';
import { observe, type PortProbeOptions, type ProbeTarget } from './port-probe.js';
import type { TimingOptions } from './rtt-estimator.js';
import {
  ipv4ToUint32,
  loadSynEngine,
  synStateResult,
  type SynNative,
  type TcpEngineChoice,
} from './syn-engine.js';

/**
 * Cells per native SYN batch (bounds a batch's memory and the burst of events it yields), and batches
 * in flight at once (they split the SYN share of the limits). One batch at a time measured fastest on
 * the lab (2 cores): two overlapping batches cost more CPU than they saved in waiting. A batch ends with
 * the retransmissions of its last silent cells, a tail that grows with loss (more attempts): 128 Ki cells
 * (about 6 MB in C) put a 100-host × 1024-port scan in one batch, one tail instead of two.
 * FLEETQRY_SYN_BATCH_CELLS / FLEETQRY_SYN_BATCHES override them for measurements.
 */
const SYN_BATCH_CELLS = Number(process.env.FLEETQRY_SYN_BATCH_CELLS) || 131_072;
const SYN_BATCHES = Number(process.env.FLEETQRY_SYN_BATCHES) || 1;

/** Where a batch's results go. */
export interface SynBatchSink<H> {
  observation(observation: Observation): void;
  /** The batch is done with `host`; `leftover`: its SYN ports it did not decide, for the connect path. */
  hostSettled(host: H, leftover: number[]): void;
  /** A batch has finished (its hosts settled): its share of the limits is free again. */
  batchDone(): void;
}

export interface SynBatcherOptions extends Pick<
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
 * Feeds the native SYN scan (syn-engine.ts): it takes the TCP state probes of IPv4 hosts on ports
 * without a protocol query, in multi-host batches (queued hosts × the SYN ports); everything else stays
 * on the connect()/datagram paths. While a batch runs it gets a share of each limit (concurrency, per
 * host, rate) and the other probes the rest (HostCaps), so that together they stay within what the user
 * set. A batch that fails outright (EPERM in a sandbox, a taken -sp port, …) turns the engine off for the
 * rest of the scan: its hosts' ports, and every later host's, go to connect() (which reports -sp
 * conflicts).
 */
export class SynBatcher<H extends { readonly target: ProbeTarget }> {
  /** TCP ports the batches decide, indexed by port (1 = a SYN port): connect() skips them. */
  readonly mask = new Uint8Array(65_536);
  /** The SYN share of the scan's concurrency and per-host cap while a batch runs. */
  readonly concurrency: number;
  readonly perHost: number;
  private readonly share: number;
  private readonly batches: number;
  private readonly batchCells: number;
  private readonly queue: H[] = [];
  private readonly cancels = new Set<Int32Array>();
  private running = 0;
  private native: SynNative | undefined;

  constructor(
    native: SynNative,
    private readonly ports: Uint16Array,
    private readonly ctx: EngineContext,
    private readonly opts: SynBatcherOptions,
    private readonly sink: SynBatchSink<H>,
  ) {
    this.native = native;
    for (const p of ports) this.mask[p] = 1;
    const { limits } = opts;
    const jsWork = opts.ports.udp.size > 0 || ports.length < opts.ports.tcp.size;
    this.share = jsWork ? 0.5 : 0.75;
    this.concurrency = Math.max(1, Math.floor(limits.concurrency * this.share));
    this.perHost = Math.max(1, Math.floor(limits.perHost * this.share));
    // Concurrent batches split the SYN share; a fixed source port can be reserved by one batch only.
    this.batches =
      opts.sourcePort !== undefined
        ? 1
        : Math.max(1, Math.min(opts.batches ?? SYN_BATCHES, this.concurrency));
    this.batchCells = opts.batchCells ?? SYN_BATCH_CELLS;
  }

  /** The SYN batcher of a scan, or undefined when the native engine cannot or need not be used. */
  static async open<H extends { readonly target: ProbeTarget }>(
    ctx: EngineContext,
    opts: SynBatcherOptions,
    sink: SynBatchSink<H>,
  ): Promise<SynBatcher<H> | undefined> {
    const { loss } = ctx;
    // The native scan allows 1..MAX_TCP_ATTEMPTS SYNs per cell.
    if (loss.minAttempts < 1 || loss.maxAttempts > MAX_TCP_ATTEMPTS) return undefined;
    const native = await loadSynEngine(opts.tcpEngine);
    if (!native) return undefined;
    const ports: number[] = [];
    for (const p of opts.ports.tcp) if (!opts.pluginFor('tcp', p)) ports.push(p);
    if (ports.length === 0) return undefined;
    return new SynBatcher(native, Uint16Array.from(ports), ctx, opts, sink);
  }

  /** Whether `target`'s SYN ports go through the batches (IPv4, and the engine still on). */
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
      if (!native) return this.settle(this.queue.splice(0, this.queue.length)); // turned off: all to connect()
      this.start(native, this.queue.splice(0, Math.max(1, Math.floor(this.batchCells / this.ports.length))));
    }
  }

  /** Stops: nothing more starts, running batches are cancelled (their cells come back undecided). */
  close(): void {
    this.queue.length = 0;
    for (const cancel of this.cancels) Atomics.store(cancel, 0, 1);
  }

  private start(native: SynNative, batch: H[]): void {
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
      .synScan({
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

  private finish(batch: H[], result?: SynScanResult): void {
    this.settle(batch, result);
    if (--this.running === 0) this.ctx.rate.share = 1;
    this.sink.batchDone();
  }

  /** Records a batch's states; cells it did not decide (or all, without states) go back to connect(). */
  private settle(batch: H[], result?: SynScanResult): void {
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
        if (code === SynState.EXCLUDED || (!states && excluded(target.exclude?.tcp, port))) continue;
        const s = synStateResult(code, rtts ? rtts[i]! : NaN);
        if (!s) {
          leftover.push(port); // undecided (deadline) or a local send error: connect() decides
          continue;
        }
        if (s.rttMs !== undefined) ctx.rtt.record(target.address, s.rttMs);
        sink.observation(observe(opts, target, 'tcp', port, s));
      }
      sink.hostSettled(host, leftover);
    });
  }
}
