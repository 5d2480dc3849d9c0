import dgram from 'node:dgram';

import type { EngineContext } from './engine-context.js';
import type { RateLimiter } from './rate-limiter.js';
import type { StateResult } from './tcp-probe.js';
import { SourcePortInUseError } from './tcp-connect.js';

/** The unformatted datagram: no payload at all. */
const EMPTY = Buffer.alloc(0);

export interface UdpStateOptions {
  /** Datagrams before silence is final (default ctx.udpAttempts). */
  attempts?: number;
  /** Ends the wait early; the port then reads as silent. */
  signal?: AbortSignal;
  /** A pacer every datagram waits for too, besides the scan's rate (rechecks: ctx.recheckPace). */
  pace?: RateLimiter;
  /** Called once the first datagram has left. */
  onSent?: () => void;
}

/**
 * PortQry's unformatted UDP probe on a connected socket: Linux reports ICMP port unreachable on a
 * connected UDP socket as ECONNREFUSED, which is NOT LISTENING; any datagram back is LISTENING;
 * silence after every retry is LISTENING or FILTERED. Retries matter: routers and kernels rate-limit
 * ICMP unreachables, so one lost ICMP must not turn a closed port into "LISTENING or FILTERED".
 */
export function probeUdpState(
  ctx: EngineContext,
  address: string,
  family: 4 | 6,
  port: number,
  over: UdpStateOptions = {},
): Promise<StateResult> {
  const attempts = over.attempts ?? ctx.udpAttempts;
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let sentAt = 0;
    const silence: StateResult = { state: 'LISTENING or FILTERED', reason: 'no-response' };
    const onAbort = () => finish(silence);
    const finish = (result: StateResult | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      over.signal?.removeEventListener('abort', onAbort);
      socket.close();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    socket.on('message', () => {
      const rttMs = performance.now() - sentAt;
      ctx.rtt.record(address, rttMs);
      finish({ state: 'LISTENING', reason: 'udp-response', rttMs });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') {
        const rttMs = performance.now() - sentAt;
        ctx.rtt.record(address, rttMs);
        ctx.icmp.record(address, port);
        return finish({ state: 'NOT LISTENING', reason: 'icmp-port-unreachable', rttMs });
      }
      if (e.code === 'EADDRINUSE' && ctx.sourcePort !== undefined)
        return finish(new SourcePortInUseError(ctx.sourcePort));
      if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH')
        return finish({ state: 'FILTERED', reason: 'host-unreachable' });
      finish(new Error(`UDP probe of ${address}:${port} failed locally: ${e.code ?? e.message}`));
    });
    const send = async (attempt: number) => {
      if (settled) return;
      // From a timer: poll the socket once first, so an answer that arrived during a stall still counts.
      if (attempt >= attempts) return void setImmediate(() => finish(silence));
      if (over.pace && !over.pace.tryTake()) await over.pace.take();
      if (!ctx.rate.tryTake()) await ctx.rate.take();
      if (settled) return;
      sentAt = performance.now();
      socket.send(EMPTY, () => attempt === 0 && over.onSent?.());
      // No exponential backoff: the retries cover lost datagrams and rate-limited ICMP, not congestion.
      timer = setTimeout(() => void send(attempt + 1), ctx.rtt.timeoutFor(address));
    };
    if (over.signal?.aborted) return finish(silence);
    over.signal?.addEventListener('abort', onAbort, { once: true });
    const connect = () => socket.connect(port, address, () => void send(0));
    if (ctx.sourcePort !== undefined) socket.bind(ctx.sourcePort, connect);
    else connect();
  });
}
