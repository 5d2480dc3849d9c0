import type { HostCoverage, NetworkQuality, Observation, Proto } from '@fleetqry/contracts';

import { createEngineContext, type EngineContext } from './engine-context.js';
import { EventOutbox } from './event-outbox.js';
import { HostCursor, type PortList } from './host-cursor.js';
import { HostScheduler } from './host-scheduler.js';
import { probePort, probeTcpPortCallback, type PortProbeOptions, type ProbeTarget } from './port-probe.js';
import type { TimingOptions } from './rtt-estimator.js';
import { NativeBatcher, type BatchSink } from './native-batcher.js';
import type { TcpEngineChoice } from './tcp-engine.js';
import { UdpRecheckHold } from './udp-hold.js';

export interface ScanLimits {
  /** Probes in flight at once, over all hosts. */
  concurrency: number;
  /** Probes in flight at once against one host. */
  perHost: number;
  /** New connections/datagrams per second over the whole scan (0 = unlimited). */
  ratePerSecond: number;
  /** Hosts worked on at once; further targets are pulled from the stream as hosts finish. */
  hostGroupSize: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  concurrency: 256,
  perHost: 64,
  ratePerSecond: 0,
  hostGroupSize: 256,
};

export interface ScanOptions extends Omit<PortProbeOptions, 'signal'> {
  ports: { tcp: PortList; udp: PortList };
  limits: ScanLimits;
  timing: TimingOptions;
  /** Attempts before a silent TCP port is FILTERED: the floor (PortQry's 3), raised while drops are seen. */
  tcpAttempts: number;
  /** The ceiling of those adaptive attempts (default MAX_TCP_ATTEMPTS; tcpAttempts turns adapting off). */
  tcpMaxAttempts?: number;
  udpAttempts: number;
  sourcePort?: number;
  /**
   * `auto` (default): TCP state probes of IPv4 hosts go through the native SYN scan when it is
   * available (built, raw sockets allowed), else connect(); `connect`: always connect() (nmap -sT's
   * probe, no privilege). The environment variable FLEETQRY_TCP_ENGINE=connect forces `connect` too.
   * See tcp-engine.ts for where connect() runs (native batches or per socket).
   */
  tcpEngine?: TcpEngineChoice;
  /** Re-checks every address right before it is probed; returns a reason to refuse, or undefined. */
  scopeCheck: (address: string) => string | undefined;
  signal?: AbortSignal;
}

export type ScanEvent =
  | { type: 'observation'; observation: Observation }
  | { type: 'host-done'; target: ProbeTarget }
  | { type: 'host-refused'; target: ProbeTarget; reason: string }
  | { type: 'probe-error'; target: ProbeTarget; proto: Proto; port: number; error: string }
  /** Only in compacted runs (compact-events.ts): a host's plain closed ports, `closed` probes' worth. */
  | { type: 'coverage'; coverage: HostCoverage[]; closed: number }
  /** Last event of a scan: its evidence of network quality (retransmissions, undecided ports). */
  | { type: 'network'; network: NetworkQuality };

/**
 * One scan's moving parts, wired together: hosts come from the target stream, the scheduler starts
 * their probes (the native batcher takes the TCP state probes it can), results go to the outbox, and a
 * host is done, with a `host-done` after all of its observations, once its probes, its native batch and
 * its UDP recheck have all finished.
 */
class ScanRun implements BatchSink<HostCursor> {
  readonly outbox = new EventOutbox<ScanEvent>();
  readonly scheduler: HostScheduler<HostCursor>;
  readonly hold: UdpRecheckHold<HostCursor>;
  batcher: NativeBatcher<HostCursor> | undefined;
  sourceDone = false;
  /** An error that ends the scan (a fixed source port in use). */
  fatal: Error | undefined;

  constructor(
    private readonly source: AsyncIterator<ProbeTarget> | Iterator<ProbeTarget>,
    private readonly opts: ScanOptions,
    readonly ctx: EngineContext,
    readonly limits: ScanLimits,
  ) {
    this.scheduler = new HostScheduler(
      ctx.pacer,
      {
        concurrency: () => limits.concurrency - (this.batcher?.reserved ?? 0),
        perHost: (host) => (host.batched ? limits.perHost - this.batcher!.perHost : limits.perHost),
      },
      this.launch,
    );
    this.hold = new UdpRecheckHold(ctx, {
      refillMs: opts.timing.icmpRefillMs,
      budgetMs: opts.timing.udpRecheckBudgetMs,
      perRound: limits.perHost,
      signal: opts.signal,
    });
  }

  get stopped(): boolean {
    return Boolean(this.fatal) || this.opts.signal?.aborted === true;
  }

  /** Takes the next target from the stream: refused, done at once (no ports), or worked on. */
  async pullHost(): Promise<void> {
    const r = await this.source.next();
    if (r.done) {
      this.sourceDone = true;
      return;
    }
    const target = r.value;
    const refusal = this.opts.scopeCheck(target.address);
    if (refusal) return this.outbox.push({ type: 'host-refused', target, reason: refusal });
    const batcher = this.batcher?.accepts(target) ? this.batcher : undefined;
    const host = new HostCursor(target, this.opts.ports, batcher !== undefined, batcher?.mask);
    if (batcher) {
      batcher.enqueue(host);
      this.scheduler.add(host);
    } else if (!host.pending) this.outbox.push({ type: 'host-done', target });
    else this.scheduler.add(host);
  }

  /** Starts as many probes as the limits allow. */
  fill(): void {
    if (!this.stopped) this.scheduler.fill();
  }

  launchBatches(): void {
    if (!this.stopped) this.batcher?.launch();
  }

  close(): void {
    // Stop launching; in-flight probes settle on their own deadlines, a native batch is cancelled.
    this.scheduler.clear();
    this.batcher?.close();
  }

  /** The scheduler's start: the host's next probe, on the callback path for plain TCP states. */
  private readonly launch = (host: HostCursor): void => {
    const { ctx, opts } = this;
    const [proto, port] = host.take();
    if (proto === 'tcp' && !opts.pluginFor(proto, port))
      probeTcpPortCallback(ctx, opts, host.target, port, (e, observation) =>
        this.settle(host, proto, port, e, observation),
      );
    else
      probePort(ctx, opts, host.target, proto, port).then(
        (observation) => this.settle(host, proto, port, undefined, observation),
        (e: unknown) => this.settle(host, proto, port, e),
      );
  };

  private settle(host: HostCursor, proto: Proto, port: number, e: unknown, observation?: Observation): void {
    if (observation) {
      if (!this.hold.keep(host, observation)) this.observation(observation);
    } else if (e instanceof Error && e.name === 'SourcePortInUseError') this.fatal = e;
    else this.outbox.push({ type: 'probe-error', target: host.target, proto, port, error: String(e) });
    this.scheduler.end(host);
    this.finishIfDone(host);
    // Refill the freed slot now rather than a turn later, so the connect pipeline never runs dry.
    this.fill();
    this.outbox.wakeSoon();
  }

  private finishIfDone(host: HostCursor): void {
    if (host.pending || host.inflight !== 0 || host.batched) return;
    const recheck = this.hold.release(host, host.target, this.observation);
    if (recheck) {
      this.scheduler.hold(host);
      void recheck.then(() => {
        this.scheduler.release(host);
        this.finishIfDone(host);
        this.fill();
        this.outbox.wakeSoon();
      });
      return;
    }
    this.scheduler.remove(host);
    this.ctx.rtt.forget(host.target.address);
    this.ctx.icmp.forget(host.target.address);
    this.outbox.push({ type: 'host-done', target: host.target });
  }

  // BatchSink
  readonly observation = (observation: Observation): void => {
    this.outbox.push({ type: 'observation', observation });
  };

  hostSettled(host: HostCursor, leftover: number[]): void {
    host.putBack(leftover);
    host.batched = false;
    this.finishIfDone(host);
  }

  batchDone(): void {
    this.launchBatches();
    this.fill();
    this.outbox.wakeSoon();
  }
}

/**
 * Streams targets × ports through the probes with bounded concurrency, per-host parallelism and a
 * bounded set of active hosts, so memory does not grow with the size of the target list. Hosts are
 * served round-robin (host-scheduler.ts); the native batch scan (SYN or connect) takes the plain TCP
 * state probes of IPv4 hosts when it can (native-batcher.ts); silent UDP ports may be rechecked before they are reported
 * (udp-hold.ts). Events come out in batches as probes finish; a host's `host-done` follows all of its
 * observations; the last event is `network`.
 */
export async function* scan(
  targets: AsyncIterable<ProbeTarget> | Iterable<ProbeTarget>,
  opts: ScanOptions,
): AsyncGenerator<ScanEvent[]> {
  const source =
    Symbol.asyncIterator in targets ? targets[Symbol.asyncIterator]() : targets[Symbol.iterator]();
  // A fixed source port allows one socket at a time.
  const limits = opts.sourcePort !== undefined ? { ...opts.limits, concurrency: 1, perHost: 1 } : opts.limits;
  const ctx = createEngineContext(opts);
  const run = new ScanRun(source, opts, ctx, limits);
  run.batcher = await NativeBatcher.open(ctx, { ...opts, limits }, run);
  const { outbox, scheduler } = run;
  try {
    for (;;) {
      if (opts.signal?.aborted)
        throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
      if (run.fatal) throw run.fatal;
      // Batches go out before more targets are pulled, so the consumer has seen every host-done first.
      if (outbox.length) yield outbox.take();
      while (!run.sourceDone && scheduler.size < limits.hostGroupSize && outbox.length < 4096)
        await run.pullHost();
      run.launchBatches();
      run.fill();
      if (run.sourceDone && scheduler.size === 0 && scheduler.inflight === 0) {
        outbox.push({ type: 'network', network: ctx.loss.quality() });
        yield outbox.take();
        break;
      }
      if (scheduler.inflight > 0 || outbox.length === 0) await outbox.wait();
    }
    // The loop's checks narrowed `fatal`; a failure can still land between its last check and here.
    const fatal = run.fatal as Error | undefined;
    if (fatal) throw fatal;
  } finally {
    run.close();
  }
}
