import type { Observation, Proto } from '@fleetqry/contracts';

import type { EngineContext } from './engine-context.js';
import { probePort, probeTcpPortCallback, type PortProbeOptions, type ProbeTarget } from './port-probe.js';
import { RateLimiter } from './rate-limiter.js';
import { RttEstimator, type TimingOptions } from './rtt-estimator.js';

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
  tcpAttempts: number;
  udpAttempts: number;
  sourcePort?: number;
  /** Re-checks every address right before it is probed; returns a reason to refuse, or undefined. */
  scopeCheck: (address: string) => string | undefined;
  signal?: AbortSignal;
}

export type ScanEvent =
  | { type: 'observation'; observation: Observation }
  | { type: 'host-done'; target: ProbeTarget }
  | { type: 'host-refused'; target: ProbeTarget; reason: string }
  | { type: 'probe-error'; target: ProbeTarget; proto: Proto; port: number; error: string };

interface HostCursor {
  target: ProbeTarget;
  ports: Iterator<[Proto, number]>;
  next: IteratorResult<[Proto, number]>;
  inflight: number;
}

function excluded(ranges: readonly (readonly [number, number])[] | undefined, port: number): boolean {
  return ranges !== undefined && ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

function* portsOf(ports: ScanOptions['ports'], exclude: ProbeTarget['exclude']): Generator<[Proto, number]> {
  for (const p of ports.tcp) if (!excluded(exclude?.tcp, p)) yield ['tcp', p];
  for (const p of ports.udp) if (!excluded(exclude?.udp, p)) yield ['udp', p];
}

export function createEngineContext(
  opts: Pick<ScanOptions, 'timing' | 'waitFactor' | 'limits' | 'tcpAttempts' | 'udpAttempts' | 'sourcePort'>,
): EngineContext {
  return {
    rtt: new RttEstimator(opts.timing, opts.waitFactor),
    rate: new RateLimiter(opts.limits.ratePerSecond),
    tcpAttempts: opts.tcpAttempts,
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
    const ports = portsOf(opts.ports, target.exclude);
    const cursor: HostCursor = { target, ports, next: ports.next(), inflight: 0 };
    if (cursor.next.done) ready.push({ type: 'host-done', target });
    else active.push(cursor);
    return true;
  };

  const finishHostIfDone = (cursor: HostCursor) => {
    if (cursor.next.done && cursor.inflight === 0) {
      const i = active.indexOf(cursor);
      if (i >= 0) active.splice(i, 1);
      ctx.rtt.forget(cursor.target.address);
      ready.push({ type: 'host-done', target: cursor.target });
    }
  };

  const settle = (cursor: HostCursor, proto: Proto, port: number, e: unknown, observation?: Observation) => {
    if (observation) ready.push({ type: 'observation', observation });
    else if (e instanceof Error && e.name === 'SourcePortInUseError') fatal = e;
    else ready.push({ type: 'probe-error', target: cursor.target, proto, port, error: String(e) });
    cursor.inflight--;
    inflight--;
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

  let filling = false;
  /** Starts as many probes as the limits allow. */
  const fill = () => {
    // A probe that settles synchronously (a local error) must not recurse into the running loop.
    if (filling || fatal || opts.signal?.aborted) return;
    filling = true;
    try {
      let idleTurns = 0;
      while (inflight < limits.concurrency && active.length > 0 && idleTurns < active.length) {
        ring %= active.length;
        const cursor = active[ring]!;
        ring++;
        if (!cursor.next.done && cursor.inflight < limits.perHost) {
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
      fill();
      if (sourceDone && active.length === 0 && inflight === 0) {
        if (ready.length) yield ready.splice(0, ready.length);
        break;
      }
      if (inflight > 0 || ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    }
    if (fatal) throw fatal;
  } finally {
    // Stop launching; in-flight probes settle on their own deadlines.
    active.length = 0;
  }
}
