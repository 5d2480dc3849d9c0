import type { PortState, StateReason } from '@fleetqry/contracts';

import type { EngineContext } from './engine-context.js';
import { tcpConnect } from './tcp-connect.js';

const MAX_LOCAL_RETRIES = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/**
 * PortQry's TCP decision: an accepted connection is LISTENING, a reset is NOT LISTENING, and silence
 * (after retrying) is FILTERED. ICMP unreachable is FILTERED too: something on the path refused for
 * the host. Self-connects (Linux simultaneous open onto our own ephemeral port) mean nothing listens.
 */
export async function probeTcpState(
  ctx: EngineContext,
  address: string,
  family: 4 | 6,
  port: number,
): Promise<StateResult> {
  let localRetries = 0;
  for (let attempt = 0; attempt < ctx.tcpAttempts;) {
    if (!ctx.rate.tryTake()) await ctx.rate.take();
    const r = await tcpConnect({
      address,
      family,
      port,
      sourcePort: ctx.sourcePort,
      timeoutMs: () => ctx.rtt.timeoutFor(address, attempt),
    });
    switch (r.outcome) {
      case 'open':
        ctx.rtt.record(address, r.rttMs!);
        return { state: 'LISTENING', reason: 'syn-ack', rttMs: r.rttMs };
      case 'refused':
        ctx.rtt.record(address, r.rttMs!);
        return { state: 'NOT LISTENING', reason: 'conn-refused', rttMs: r.rttMs };
      case 'self-connect':
        return { state: 'NOT LISTENING', reason: 'conn-refused' };
      case 'unreachable':
        return { state: 'FILTERED', reason: 'host-unreachable', rttMs: r.rttMs };
      case 'timeout':
        attempt++;
        break;
      case 'error':
        // Local exhaustion (EMFILE, EADDRNOTAVAIL) says nothing about the target: back off and retry
        // without counting an attempt; give up loudly rather than report a state we did not see.
        if (++localRetries > MAX_LOCAL_RETRIES) throw new LocalProbeError(r.code ?? 'EIO');
        await sleep(25 * localRetries);
        break;
    }
  }
  return { state: 'FILTERED', reason: 'timeout' };
}
