import type { HostCoverage, NetworkQuality, Observation, Proto } from '@fleetqry/contracts';
import { SynState, type SynScanResult } from '@fleetqry/probe-native';

import type { EngineContext } from './engine-context.js';
import {
  observe,
  probePort,
  probeTcpPortCallback,
  type PortProbeOptions,
  type ProbeTarget,
} from './port-probe.js';
import { IcmpLedger } from './icmp-ledger.js';
import { LossMonitor, MAX_TCP_ATTEMPTS } from './loss-monitor.js';
import { RateLimiter } from './rate-limiter.js';
import { RttEstimator, type TimingOptions } from './rtt-estimator.js';
import { SubnetPacer, subnetOf } from './subnet-pacer.js';
import { recheckSilentUdp, silentUdp } from './udp-recheck.js';
import {
  ipv4ToUint32,
  loadSynEngine,
  synStateResult,
  type SynNative,
  type TcpEngineChoice,
} from './syn-engine.js';

/** Anything that iterates ports in order and knows its size (PortSet, arrays). */
export interface PortList {
  readonly size: number;
  [Symbol.iterator](): Iterator<number>;
}

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
   * available (built, raw sockets allowed); `connect`: always the connect() path. The environment
   * variable FLEETQRY_TCP_ENGINE=connect forces `connect` too.
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

interface HostCursor {
  target: ProbeTarget;
  ports: Iterator<[Proto, number]>;
  next: IteratorResult<[Proto, number]>;
  inflight: number;
  /** The host's TCP state probes are in (or queued for) a native SYN batch. */
  syn: boolean;
  /** Silent UDP observations, held until the host's other probes are done (see udp-recheck.ts). */
  held: Observation[];
  /** The host's subnet, for loss-aware pacing. */
  subnet: string;
}

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

function excluded(ranges: readonly (readonly [number, number])[] | undefined, port: number): boolean {
  return ranges !== undefined && ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

function* portsOf(
  ports: ScanOptions['ports'],
  exclude: ProbeTarget['exclude'],
  skipTcp?: Uint8Array,
): Generator<[Proto, number]> {
  for (const p of ports.tcp) if (!excluded(exclude?.tcp, p) && !skipTcp?.[p]) yield ['tcp', p];
  for (const p of ports.udp) if (!excluded(exclude?.udp, p)) yield ['udp', p];
}

/** Ports handed back by a native batch, then whatever the cursor had left. */
function* prepend(
  items: [Proto, number][],
  current: IteratorResult<[Proto, number]>,
  rest: Iterator<[Proto, number]>,
): Generator<[Proto, number]> {
  yield* items;
  if (current.done) return;
  yield current.value;
  for (let r = rest.next(); !r.done; r = rest.next()) yield r.value;
}

export function createEngineContext(
  opts: Pick<
    ScanOptions,
    'timing' | 'waitFactor' | 'limits' | 'tcpAttempts' | 'tcpMaxAttempts' | 'udpAttempts' | 'sourcePort'
  >,
): EngineContext {
  return {
    rtt: new RttEstimator(opts.timing, opts.waitFactor),
    rate: new RateLimiter(opts.limits.ratePerSecond),
    icmp: new IcmpLedger(),
    loss: new LossMonitor(opts.tcpAttempts, opts.tcpMaxAttempts),
    pacer: new SubnetPacer(opts.limits.concurrency),
    udpAttempts: opts.udpAttempts,
    sourcePort: opts.sourcePort,
  };
}

/**
 * Streams targets × ports through the probes with bounded concurrency, per-host parallelism and a
 * bounded set of active hosts, so memory does not grow with the size of the target list. Hosts are
 * served round-robin (one port each in turn), which spreads load and lets every host's round-trip
 * estimate settle early. Events come out in batches as probes finish; a host's `host-done` follows all
 * of its observations.
 */
export async function* scan(
  targets: AsyncIterable<ProbeTarget> | Iterable<ProbeTarget>,
  opts: ScanOptions,
): AsyncGenerator<ScanEvent[]> {
  const ctx = createEngineContext(opts);
  const probeOpts: PortProbeOptions = { ...opts, signal: opts.signal };
  const source = (
    Symbol.asyncIterator in targets ? targets[Symbol.asyncIterator]() : targets[Symbol.iterator]()
  ) as AsyncIterator<ProbeTarget> | Iterator<ProbeTarget>;
  const limits = opts.sourcePort !== undefined ? { ...opts.limits, concurrency: 1, perHost: 1 } : opts.limits;

  // The native SYN scan (syn-engine.ts) takes the TCP state probes of IPv4 hosts on ports without a
  // protocol query, in multi-host batches; everything else stays on the connect()/datagram paths.
  const { loss } = ctx;
  let syn: SynNative | undefined =
    loss.minAttempts >= 1 && loss.maxAttempts <= MAX_TCP_ATTEMPTS
      ? await loadSynEngine(opts.tcpEngine)
      : undefined;
  const synMask = new Uint8Array(65_536);
  const synPortList: number[] = [];
  if (syn)
    for (const p of opts.ports.tcp)
      if (!opts.pluginFor('tcp', p)) {
        synPortList.push(p);
        synMask[p] = 1;
      }
  if (synPortList.length === 0) syn = undefined;
  const synPorts = Uint16Array.from(synPortList);
  // While a batch runs it gets this share of each limit (concurrency, per host, rate) and the other
  // probes get the rest, so that together they stay within what the user set.
  const jsWork = opts.ports.udp.size > 0 || synPorts.length < opts.ports.tcp.size;
  const synShare = jsWork ? 0.5 : 0.75;
  const synConcurrency = Math.max(1, Math.floor(limits.concurrency * synShare));
  const synPerHost = Math.max(1, Math.floor(limits.perHost * synShare));
  const synQueue: HostCursor[] = [];
  // Concurrent batches split the SYN share; a fixed source port can be reserved by one batch only.
  const synBatches = opts.sourcePort !== undefined ? 1 : Math.max(1, Math.min(SYN_BATCHES, synConcurrency));
  let synRunning = 0;
  const synCancels = new Set<Int32Array>();

  const active: HostCursor[] = [];
  const ready: ScanEvent[] = [];
  let ring = 0;
  let inflight = 0;
  let sourceDone = false;
  let fatal: unknown;
  let wake: (() => void) | undefined;
  let flushQueued = false;
  const notify = () => {
    flushQueued = false;
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Probes finish one I/O callback at a time; waking the consumer once per event-loop turn (not per
  // probe) makes each batch hold everything that turn finished.
  const notifySoon = () => {
    if (flushQueued) return;
    flushQueued = true;
    setImmediate(notify);
  };

  const pullHost = async (): Promise<boolean> => {
    const r = await source.next();
    if (r.done) {
      sourceDone = true;
      return false;
    }
    const target = r.value;
    const refusal = opts.scopeCheck(target.address);
    if (refusal) {
      ready.push({ type: 'host-refused', target, reason: refusal });
      return true;
    }
    const useSyn = syn !== undefined && target.family === 4 && ipv4ToUint32(target.address) !== undefined;
    const ports = portsOf(opts.ports, target.exclude, useSyn ? synMask : undefined);
    const cursor: HostCursor = {
      target,
      ports,
      next: ports.next(),
      inflight: 0,
      syn: useSyn,
      held: [],
      subnet: subnetOf(target.address),
    };
    if (useSyn) {
      synQueue.push(cursor);
      active.push(cursor);
    } else if (cursor.next.done) ready.push({ type: 'host-done', target });
    else active.push(cursor);
    return true;
  };

  const recheck = opts.timing.udpRecheckBudgetMs > 0;
  const finishHostIfDone = (cursor: HostCursor) => {
    if (!cursor.next.done || cursor.inflight !== 0 || cursor.syn) return;
    const { target } = cursor;
    if (cursor.held.length) {
      const held = cursor.held.splice(0, cursor.held.length);
      const release = () => {
        for (const observation of held) ready.push({ type: 'observation', observation });
      };
      // Silent UDP ports on a host that sends ICMP may be closed ports whose ICMP was rate-limited.
      if (ctx.icmp.canary(target.address) !== undefined && !opts.signal?.aborted) {
        cursor.inflight++;
        inflight++;
        void recheckSilentUdp(ctx, target, held, {
          refillMs: opts.timing.icmpRefillMs,
          budgetMs: opts.timing.udpRecheckBudgetMs,
          perRound: limits.perHost,
          signal: opts.signal,
        })
          .catch(() => undefined) // a failed recheck leaves the ports as they were
          .then(() => {
            release();
            cursor.inflight--;
            inflight--;
            finishHostIfDone(cursor);
            fill();
            notifySoon();
          });
        return;
      }
      release();
    }
    const i = active.indexOf(cursor);
    if (i >= 0) active.splice(i, 1);
    ctx.rtt.forget(target.address);
    ctx.icmp.forget(target.address);
    ready.push({ type: 'host-done', target });
  };

  const settle = (cursor: HostCursor, proto: Proto, port: number, e: unknown, observation?: Observation) => {
    if (observation && recheck && silentUdp(observation)) cursor.held.push(observation);
    else if (observation) ready.push({ type: 'observation', observation });
    else if (e instanceof Error && e.name === 'SourcePortInUseError') fatal = e;
    else ready.push({ type: 'probe-error', target: cursor.target, proto, port, error: String(e) });
    cursor.inflight--;
    inflight--;
    ctx.pacer.end(cursor.subnet);
    finishHostIfDone(cursor);
    // Refill the freed slot now rather than a turn later, so the connect pipeline never runs dry.
    fill();
    notifySoon();
  };

  const launch = (cursor: HostCursor) => {
    const [proto, port] = cursor.next.value as [Proto, number];
    cursor.next = cursor.ports.next();
    cursor.inflight++;
    inflight++;
    ctx.pacer.begin(cursor.subnet);
    if (proto === 'tcp' && !opts.pluginFor(proto, port))
      probeTcpPortCallback(ctx, probeOpts, cursor.target, port, (e, observation) =>
        settle(cursor, proto, port, e, observation),
      );
    else
      probePort(ctx, probeOpts, cursor.target, proto, port).then(
        (observation) => settle(cursor, proto, port, undefined, observation),
        (e: unknown) => settle(cursor, proto, port, e),
      );
  };

  /** Records a native batch's states; cells it did not decide (or all, without states) go to connect(). */
  const settleBatch = (batch: HostCursor[], result?: SynScanResult) => {
    const states = result?.states;
    const rtts = result?.rttMs;
    if (result) loss.absorb(result);
    const np = synPorts.length;
    batch.forEach((cursor, t) => {
      const { target } = cursor;
      const leftover: [Proto, number][] = [];
      for (let k = 0; k < np; k++) {
        const i = t * np + k;
        const port = synPorts[k]!;
        const code = states ? states[i]! : 0;
        if (code === SynState.EXCLUDED || (!states && excluded(target.exclude?.tcp, port))) continue;
        const s = synStateResult(code, rtts ? rtts[i]! : NaN);
        if (!s) {
          leftover.push(['tcp', port]); // undecided (deadline) or a local send error: connect() decides
          continue;
        }
        if (s.rttMs !== undefined) ctx.rtt.record(target.address, s.rttMs);
        ready.push({ type: 'observation', observation: observe(probeOpts, target, 'tcp', port, s) });
      }
      if (leftover.length) {
        cursor.ports = prepend(leftover, cursor.next, cursor.ports);
        cursor.next = cursor.ports.next();
      }
      cursor.syn = false;
      finishHostIfDone(cursor);
    });
  };

  const settleSyn = (batch: HostCursor[], result?: SynScanResult) => {
    settleBatch(batch, result);
    if (--synRunning === 0) ctx.rate.share = 1;
    launchSyn();
    fill();
    notifySoon();
  };

  /** Starts the next native batch: queued hosts × the SYN ports, one batch at a time per scanner. */
  const launchSyn = () => {
    if (synRunning >= synBatches || synQueue.length === 0 || fatal || opts.signal?.aborted) return;
    if (!syn) return settleBatch(synQueue.splice(0, synQueue.length)); // turned off: all to connect()
    const native = syn;
    const np = synPorts.length;
    const batch = synQueue.splice(0, Math.max(1, Math.floor(SYN_BATCH_CELLS / np)));
    const targets = new Uint32Array(batch.length);
    let exclude: Uint8Array | undefined;
    batch.forEach((c, t) => {
      targets[t] = ipv4ToUint32(c.target.address)!;
      const ex = c.target.exclude?.tcp;
      if (ex?.length) {
        exclude ??= new Uint8Array(batch.length * np);
        for (let k = 0; k < np; k++) if (excluded(ex, synPorts[k]!)) exclude[t * np + k] = 1;
      }
    });
    const cancel = new Int32Array(1);
    synCancels.add(cancel);
    const onAbort = () => Atomics.store(cancel, 0, 1);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    synRunning++;
    if (limits.ratePerSecond > 0) ctx.rate.share = 1 - synShare;
    native
      .synScan({
        targets,
        ports: synPorts,
        exclude,
        timeoutMs: ctx.rtt.timeoutFor(batch[0]!.target.address) / opts.waitFactor,
        minTimeoutMs: opts.timing.minTimeoutMs,
        maxTimeoutMs: opts.timing.maxTimeoutMs,
        waitFactor: opts.waitFactor,
        attempts: loss.minAttempts,
        maxAttempts: loss.maxAttempts,
        priorAnswered: loss.answered,
        priorRetried: loss.retried,
        ratePerSecond: limits.ratePerSecond > 0 ? (limits.ratePerSecond * synShare) / synBatches : 0,
        concurrency: Math.max(1, Math.floor(synConcurrency / synBatches)),
        perHost: synPerHost,
        sourcePort: opts.sourcePort,
        cancel,
      })
      .then(
        (r) => settleSyn(batch, r),
        () => {
          // No states at all (EPERM in a sandbox, a taken -sp port, …): the SYN engine is off for the
          // rest of this scan and the connect path probes the batch (and reports -sp conflicts).
          syn = undefined;
          settleSyn(batch);
        },
      )
      .finally(() => {
        synCancels.delete(cancel);
        opts.signal?.removeEventListener('abort', onAbort);
      });
    launchSyn(); // the second batch
  };

  let filling = false;
  /** Starts as many probes as the limits allow. */
  const fill = () => {
    // A probe that settles synchronously (a local error) must not recurse into the running loop.
    if (filling || fatal || opts.signal?.aborted) return;
    filling = true;
    try {
      let idleTurns = 0;
      const concurrency = synRunning ? limits.concurrency - synConcurrency : limits.concurrency;
      while (inflight < concurrency && active.length > 0 && idleTurns < active.length) {
        ring %= active.length;
        const cursor = active[ring]!;
        ring++;
        const perHost = cursor.syn ? limits.perHost - synPerHost : limits.perHost;
        const { subnet } = cursor;
        if (
          !cursor.next.done &&
          cursor.inflight < ctx.pacer.allowance(subnet, perHost) &&
          ctx.pacer.inflight(subnet) < ctx.pacer.allowance(subnet, concurrency)
        ) {
          launch(cursor);
          idleTurns = 0;
        } else idleTurns++;
      }
    } finally {
      filling = false;
    }
  };

  try {
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      if (fatal) throw fatal;
      // Batches: one await per many probes, not per probe, keeps the consumer's cost off the hot path.
      // They go out before more targets are pulled, so the consumer has seen every host-done first.
      if (ready.length) yield ready.splice(0, ready.length);
      while (!sourceDone && active.length < limits.hostGroupSize && ready.length < 4096) await pullHost();
      launchSyn();
      fill();
      if (sourceDone && active.length === 0 && inflight === 0) {
        ready.push({ type: 'network', network: loss.quality() });
        yield ready.splice(0, ready.length);
        break;
      }
      if (inflight > 0 || ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    }
    if (fatal) throw fatal;
  } finally {
    // Stop launching; in-flight probes settle on their own deadlines, a native batch is cancelled.
    active.length = 0;
    synQueue.length = 0;
    for (const cancel of synCancels) Atomics.store(cancel, 0, 1);
  }
}
