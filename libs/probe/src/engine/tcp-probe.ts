import type { PortState, StateReason } from '@fleetqry/contracts';

import type { EngineContext } from './engine-context.js';
import { tcpConnectCallback, type ConnectRequest, type ConnectResult } from './tcp-connect.js';

const MAX_LOCAL_RETRIES = 5;

export interface StateResult {
  state: PortState;
  reason: StateReason;
  rttMs?: number;
}

/** A local resource failure (EMFILE, EADDRNOTAVAIL, …): no statement about the target can be made. */
export class LocalProbeError extends Error {
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
 * PortQry's TCP decision: an accepted connection is LISTENING, a reset is NOT LISTENING, and silence
 * (after retrying) is FILTERED. ICMP unreachable is FILTERED too: something on the path refused for
 * the host. Self-connects (Linux simultaneous open onto our own ephemeral port) mean nothing listens.
 * One object per probe (it is also the connect request) because this is the scan's hot path.
 */
class TcpStateProbe implements ConnectRequest {
  readonly sourcePort: number | undefined;
  private attempt = 0;
  private localRetries = 0;

  constructor(
    private readonly ctx: EngineContext,
    readonly address: string,
    readonly family: 4 | 6,
    readonly port: number,
    private readonly done: StateCallback,
  ) {
    this.sourcePort = ctx.sourcePort;
  }

  timeoutMs(): number {
    return this.ctx.rtt.timeoutFor(this.address, this.attempt);
  }

  readonly start = (): void => {
    if (this.attempt >= this.ctx.tcpAttempts) this.done(undefined, SILENT);
    else if (this.ctx.rate.tryTake()) tcpConnectCallback(this, this.settle);
    else void this.ctx.rate.take().then(() => tcpConnectCallback(this, this.settle));
  };

  private readonly settle = (error: Error | undefined, r?: ConnectResult): void => {
    if (error) return this.done(error);
    const { rtt } = this.ctx;
    switch (r!.outcome) {
      case 'open':
        rtt.record(this.address, r!.rttMs!);
        return this.done(undefined, { state: 'LISTENING', reason: 'syn-ack', rttMs: r!.rttMs });
      case 'refused':
        if (r!.rttMs !== undefined) rtt.record(this.address, r!.rttMs);
        return this.done(undefined, { state: 'NOT LISTENING', reason: 'conn-refused', rttMs: r!.rttMs });
      case 'self-connect':
        return this.done(undefined, SELF_CONNECT);
      case 'unreachable':
        return this.done(undefined, { state: 'FILTERED', reason: 'host-unreachable', rttMs: r!.rttMs });
      case 'timeout':
        this.attempt++;
        return this.start();
      case 'error':
        // Local exhaustion (EMFILE, EADDRNOTAVAIL) says nothing about the target: back off and retry
        // without counting an attempt; give up loudly rather than report a state we did not see.
        if (++this.localRetries > MAX_LOCAL_RETRIES) return this.done(new LocalProbeError(r!.code ?? 'EIO'));
        setTimeout(this.start, 25 * this.localRetries);
    }
  };
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
