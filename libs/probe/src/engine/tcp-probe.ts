import type { PortState, StateReason } from '@fleetqry/contracts';

import type { EngineContext } from './engine-context.js';
import {
  tcpConnectCallback,
  type ConnectAttempt,
  type ConnectRequest,
  type ConnectResult,
} from './tcp-connect.js';

const MAX_LOCAL_RETRIES = 5;

export interface StateResult {
  state: PortState;
  reason: StateReason;
  rttMs?: number;
}

/** A local resource failure (EMFILE, EADDRNOTAVAIL, …): no statement about the target can be made. */
class LocalProbeError extends Error {
  constructor(readonly code: string) {
    super(`local error while probing: ${code}`);
    this.name = 'LocalProbeError';
  }
}

export type StateCallback = (error: Error | undefined, result?: StateResult) => void;

// Outcomes without a round trip are the same every time: shared, not allocated per probe.
const SELF_CONNECT: StateResult = Object.freeze({ state: 'NOT LISTENING', reason: 'conn-refused' });
const SILENT: StateResult = Object.freeze({ state: 'FILTERED', reason: 'timeout' });

/**
 * Retransmissions wait twice the host's timeout, the first attempt once (the SYN engine's rule too): loss,
 * unlike congestion, is not cured by waiting longer, and every wait adds to a silent port's time.
 */
const BACKOFF_MAX_DOUBLINGS = 1;

/**
 * PortQry's TCP decision: an accepted connection is LISTENING, a reset is NOT LISTENING, and silence
 * (after retrying) is FILTERED. ICMP unreachable is FILTERED too: something on the path refused for
 * the host. Self-connects (Linux simultaneous open onto our own ephemeral port) mean nothing listens.
 *
 * Silence is retried, each attempt waiting the host's measured timeout (backing off), as often as the
 * loss the scan observes calls for (LossMonitor: PortQry's three at least). Earlier attempts keep
 * listening while later ones go out, so a late SYN-ACK or RST to any of them decides the port; nothing
 * rests on one packet. With a fixed source port (-sp) only one socket can exist, so attempts are
 * sequential there. One object per probe (it is also the connect request): this is the scan's hot path.
 */
class TcpStateProbe implements ConnectRequest {
  readonly sourcePort: number | undefined;
  readonly linger: boolean;
  /** Attempts on the wire, and how many of them timed out. */
  private sent = 0;
  private expired = 0;
  private localRetries = 0;
  private decided = false;
  /** The newest attempt, and the earlier ones still listening for a late answer. */
  private latest: ConnectAttempt | undefined;
  private earlier: ConnectAttempt[] | undefined;

  constructor(
    private readonly ctx: EngineContext,
    readonly address: string,
    readonly family: 4 | 6,
    readonly port: number,
    private readonly done: StateCallback,
  ) {
    this.sourcePort = ctx.sourcePort;
    this.linger = ctx.sourcePort === undefined;
  }

  timeoutMs(): number {
    return this.ctx.rtt.timeoutFor(this.address, Math.min(this.sent - 1, BACKOFF_MAX_DOUBLINGS));
  }

  readonly start = (): void => {
    if (this.decided) return;
    if (this.ctx.rate.tryTake()) this.send();
    else void this.ctx.rate.take().then(this.send);
  };

  private readonly send = (): void => {
    if (this.decided) return;
    if (this.sent > 0) this.ctx.loss.retransmissions++;
    const sent = ++this.sent;
    if (this.latest) (this.earlier ??= []).push(this.latest);
    this.latest = undefined;
    const attempt = tcpConnectCallback(this, this.settle);
    // A local error may have settled the attempt synchronously (uncounting it).
    if (!this.decided && this.sent === sent) this.latest = attempt;
  };

  private readonly settle = (error: Error | undefined, r?: ConnectResult, attempt?: ConnectAttempt): void => {
    if (this.decided) return;
    if (error) return this.finish(error);
    switch (r!.outcome) {
      case 'open':
        this.answered(r!.rttMs!);
        return this.finish(undefined, { state: 'LISTENING', reason: 'syn-ack', rttMs: r!.rttMs });
      case 'refused':
        if (r!.rttMs !== undefined) this.answered(r!.rttMs);
        return this.finish(undefined, { state: 'NOT LISTENING', reason: 'conn-refused', rttMs: r!.rttMs });
      case 'self-connect':
        return this.finish(undefined, SELF_CONNECT);
      case 'unreachable':
        return this.finish(undefined, { state: 'FILTERED', reason: 'host-unreachable', rttMs: r!.rttMs });
      case 'timeout':
        if (++this.expired < this.sent) return;
        if (this.sent >= this.ctx.loss.requiredAttempts()) {
          this.ctx.loss.silent++;
          return this.finish(undefined, SILENT);
        }
        return this.start();
      case 'error':
        // An earlier attempt failing locally changes nothing: it already counted as silent.
        if (attempt !== undefined && attempt !== this.latest && this.latest !== undefined) return;
        // Local exhaustion (EMFILE, EADDRNOTAVAIL) says nothing about the target: back off and retry
        // without counting an attempt; give up loudly rather than report a state we did not see.
        this.sent--;
        this.latest = this.earlier?.pop();
        if (++this.localRetries > MAX_LOCAL_RETRIES)
          return this.finish(new LocalProbeError(r!.code ?? 'EIO'));
        setTimeout(this.start, 25 * this.localRetries);
    }
  };

  /** Each attempt is its own socket, so even a late answer's round trip is unambiguous (no Karn rule). */
  private answered(rttMs: number): void {
    const resent = this.sent > 1;
    this.ctx.rtt.record(this.address, rttMs);
    this.ctx.loss.answer(resent);
    this.ctx.pacer.answered(this.address, resent, this.ctx.rtt.timeoutFor(this.address));
  }

  private finish(error: Error | undefined, result?: StateResult): void {
    this.decided = true;
    this.latest?.close();
    if (this.earlier) for (const a of this.earlier) a.close();
    this.done(error, result);
  }
}

/** The TCP state of one port, reported through a callback (no promise hops on the hot path). */
export function probeTcpStateCallback(
  ctx: EngineContext,
  address: string,
  family: 4 | 6,
  port: number,
  done: StateCallback,
): void {
  new TcpStateProbe(ctx, address, family, port, done).start();
}

export function probeTcpState(
  ctx: EngineContext,
  address: string,
  family: 4 | 6,
  port: number,
): Promise<StateResult> {
  return new Promise((resolve, reject) =>
    probeTcpStateCallback(ctx, address, family, port, (e, r) => (e ? reject(e) : resolve(r!))),
  );
}
