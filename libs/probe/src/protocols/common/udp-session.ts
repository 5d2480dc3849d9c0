/**
 * The transport under every UDP protocol query: one **connected** socket (so Linux reports ICMP port
 * unreachable as ECONNREFUSED, i.e. NOT LISTENING, instead of silence), the request sent and resent, a
 * bounded number of datagrams handed to the caller, and one clock deciding when silence means "no
 * answer". Names are never resolved: the caller passes a resolved, scope-checked IP literal.
 *
 * The clock has two regimes. Until the engine has measured the host's round trip, the query listens for
 * its whole window, resending at the given offsets. Once the host is measured (ICMP or a reply from any
 * of its ports, also while this query runs), it turns into nmap-style retransmission: each send waits
 * one host timeout for an answer, and after `attempts` unanswered sends silence is final, though never
 * before a floor that leaves a slow service (not a slow network: that the timeout covers) time to
 * answer. A dropped port on a fast host then costs the floor instead of the window; a slow host's
 * timeout is larger, so it stays correct.
 *
 * `anySourcePort`: protocols whose server answers from a fresh port (TFTP's TID, some L2TP servers)
 * would be filtered out by the connected socket. A second, unconnected socket shares the local port
 * (SO_REUSEADDR): Linux delivers datagrams matching the connected 4-tuple (and its ICMP errors) to the
 * connected socket and everything else for that port to the unconnected one, which accepts only the
 * target's address.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';

import type { ProtocolContext, UdpPatience } from '../plugin.js';
import { queryWindowMs } from '../query-window.js';

export type SessionEnd =
  | { kind: 'done' }
  | { kind: 'silence' }
  | { kind: 'refused' }
  | { kind: 'aborted' }
  | { kind: 'error'; code: string };

export interface UdpSessionResult {
  end: SessionEnd;
  /** How long the session listened, from the first send (ms). */
  listenedMs: number;
  /** Datagram bursts sent (the first send and every resend). */
  sends: number;
  /**
   * Time from the first send to the first datagram or ICMP error, when nothing had been resent before
   * it (Karn's rule: after a resend it is unknown which send was answered).
   */
  rttMs?: number;
}

interface UdpSessionControl {
  /** Ends the session: the caller has its answer. */
  finish(): void;
  /** Sends what `outgoing()` returns now; counts as a send. */
  resend(): void;
  /** Ends the session as silence after `ms` unless it ends sooner. */
  endAfter(ms: number): void;
  elapsedMs(): number;
}

export interface UdpSessionInput {
  address: string;
  port: number;
  /** The longest the session listens, from the first send. */
  windowMs: number;
  /** Resend offsets (ms from the first send) while the host's round trip is unknown. */
  resendAtMs?: readonly number[];
  /** The engine's view of the host's round trip (see UdpPatience). */
  patience?: UdpPatience;
  signal?: AbortSignal;
  /** Datagrams handed to `onDatagram` at most; a flood of junk costs bounded CPU. */
  maxDatagrams: number;
  anySourcePort?: boolean;
  /** PortQry -sp: the local port every datagram leaves from (0 or undefined: ephemeral). */
  sourcePort?: number;
  /** What to send now (first send and every resend); empty when nothing is left to ask. */
  outgoing(): readonly Buffer[];
  /** A datagram from the target; `reply` sends back to the socket and port it came from. */
  onDatagram(
    msg: Buffer,
    from: { port: number; reply: (packet: Buffer) => void },
    ctl: UdpSessionControl,
  ): void;
}

/** dgram's lookup hook: IP literals only. The caller resolved and scope-checked the address. */
function addressOnlyLookup(
  host: string,
  _opts: unknown,
  cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(host);
  if (family === 0) cb(Object.assign(new Error('not an IP address'), { code: 'EINVAL' }), '', 0);
  else cb(null, host, family);
}

/** The listening window for a plugin deadline, and one resend at 40 % when there is time for it. */
export function udpTiming(timeoutMs: number): { windowMs: number; resendAtMs: number[] } {
  const windowMs = queryWindowMs(timeoutMs);
  return { windowMs, resendAtMs: windowMs >= 250 ? [Math.round(windowMs * 0.4)] : [] };
}

/** Address, window, resends, patience and signal of a session from a plugin's context. */
export function sessionOf(
  ctx: Pick<ProtocolContext, 'address' | 'port' | 'timeoutMs' | 'signal' | 'patience' | 'sourcePort'>,
): Pick<
  UdpSessionInput,
  'address' | 'port' | 'windowMs' | 'resendAtMs' | 'patience' | 'signal' | 'sourcePort'
> {
  return {
    address: ctx.address,
    port: ctx.port,
    ...udpTiming(ctx.timeoutMs),
    patience: ctx.patience,
    signal: ctx.signal,
    ...(ctx.sourcePort !== undefined ? { sourcePort: ctx.sourcePort } : {}),
  };
}

/** How a multi-answer session ended, for callers that collect answers themselves (SNMP, CLDAP). */
export type CollectedEnd = 'answered' | 'window-closed' | 'refused' | 'socket-error' | 'aborted';

export function collectedEnd(end: SessionEnd, complete: boolean): CollectedEnd {
  switch (end.kind) {
    case 'refused':
      return 'refused';
    case 'error':
      return 'socket-error';
    case 'aborted':
      return 'aborted';
    default:
      return complete ? 'answered' : 'window-closed';
  }
}

export function runUdpSession(input: UdpSessionInput): Promise<UdpSessionResult> {
  return new Promise<UdpSessionResult>((resolve) => {
    const family = isIP(input.address);
    if (family === 0) return resolve({ end: { kind: 'error', code: 'EINVAL' }, listenedMs: 0, sends: 0 });
    const type = family === 6 ? 'udp6' : 'udp4';
    const sockets: dgram.Socket[] = [];
    const fixedTimers: NodeJS.Timeout[] = [];
    const endTimers: NodeJS.Timeout[] = [];
    let adaptiveTimer: NodeJS.Timeout | undefined;
    let unwatch: (() => void) | undefined;
    let startedAt = 0;
    let lastSendAt = 0;
    let sends = 0;
    let datagrams = 0;
    let rttMs: number | undefined;
    let done = false;

    const elapsedMs = (): number => (startedAt ? performance.now() - startedAt : 0);
    const settle = (end: SessionEnd): void => {
      if (done) return;
      done = true;
      for (const t of [...fixedTimers, ...endTimers]) clearTimeout(t);
      clearTimeout(adaptiveTimer);
      unwatch?.();
      input.signal?.removeEventListener('abort', onAbort);
      for (const s of sockets) {
        try {
          s.close();
        } catch {
          // already closed
        }
      }
      resolve({ end, listenedMs: elapsedMs(), sends, ...(rttMs !== undefined ? { rttMs } : {}) });
    };
    const onAbort = (): void => settle({ kind: 'aborted' });
    // Timers run before the event loop polls sockets: after a stall (a busy worker), a reply that arrived in
    // time would still be unread when its timer fires. Silence is declared only after one poll of the socket.
    const silence = (): void => {
      setImmediate(() => settle({ kind: 'silence' }));
    };
    const sampleRtt = (): void => {
      if (sends !== 1 || rttMs !== undefined) return;
      rttMs = elapsedMs();
      input.patience?.observe(rttMs);
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'ECONNREFUSED') {
        sampleRtt();
        return settle({ kind: 'refused' });
      }
      settle({ kind: 'error', code: err.code ?? 'EUNKNOWN' });
    };

    // Both sockets of an anySourcePort session share one local port, which -sp fixes.
    const localPort = input.sourcePort ?? 0;
    const connected = dgram.createSocket({
      type,
      lookup: addressOnlyLookup,
      reuseAddr: !!input.anySourcePort || localPort !== 0,
    });
    sockets.push(connected);
    connected.on('error', onError);

    const send = (): void => {
      if (done) return;
      const packets = input.outgoing();
      if (packets.length === 0) return;
      sends++;
      lastSendAt = elapsedMs();
      for (const p of packets) connected.send(p, (err) => err && onError(err));
    };

    const ctl: UdpSessionControl = {
      finish: () => settle({ kind: 'done' }),
      resend: () => {
        send();
        rearm();
      },
      endAfter: (ms) => {
        if (!done) endTimers.push(setTimeout(silence, Math.max(0, ms)));
      },
      elapsedMs,
    };

    const onMessage = (msg: Buffer, port: number, reply: (packet: Buffer) => void): void => {
      if (done || ++datagrams > input.maxDatagrams) return;
      sampleRtt();
      input.onDatagram(msg, { port, reply }, ctl);
    };
    connected.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) =>
      onMessage(msg, rinfo.port, (packet) => connected.send(packet, () => undefined)),
    );

    /**
     * Once the host is measured: the next resend (or, after the last attempt, the end) comes one host
     * timeout after the latest send. Re-run whenever the estimate changes or a send happens.
     */
    function rearm(): void {
      if (done || !startedAt) return;
      const p = input.patience?.current();
      if (!p) return;
      for (const t of fixedTimers) clearTimeout(t);
      fixedTimers.length = 0;
      clearTimeout(adaptiveTimer);
      // After the last attempt silence is final one timeout later, but never before the floor.
      const last = sends >= p.attempts || input.outgoing().length === 0;
      const at = last ? Math.max(lastSendAt + p.timeoutMs, p.minQuietMs) : lastSendAt + p.timeoutMs;
      adaptiveTimer = setTimeout(() => (last ? silence() : ctl.resend()), Math.max(0, at - elapsedMs()));
    }

    const start = (): void => {
      connected.connect(input.port, input.address, () => {
        if (done) return;
        startedAt = performance.now();
        send();
        endTimers.push(setTimeout(silence, Math.max(0, input.windowMs)));
        for (const at of input.resendAtMs ?? [])
          if (at < input.windowMs) fixedTimers.push(setTimeout(() => ctl.resend(), at));
        unwatch = input.patience?.watch(rearm);
        rearm();
      });
    };

    if (input.signal?.aborted) return settle({ kind: 'aborted' });
    input.signal?.addEventListener('abort', onAbort, { once: true });

    const wildcard = family === 6 ? '::' : '0.0.0.0';
    if (!input.anySourcePort) return localPort ? connected.bind(localPort, wildcard, start) : start();
    // The unconnected twin first (ephemeral port), then the connected socket on the same port.
    const any = dgram.createSocket({ type, lookup: addressOnlyLookup, reuseAddr: true });
    sockets.push(any);
    any.on('error', onError);
    any.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      if (rinfo.address === input.address)
        onMessage(msg, rinfo.port, (packet) => any.send(packet, rinfo.port, input.address, () => undefined));
    });
    any.bind(localPort, wildcard, () => {
      if (done) return;
      connected.bind(any.address().port, wildcard, start);
    });
  });
}
