/**
 * One request/answer over UDP for the formatted-query plugins (NetBIOS, SQL browser, NTP, TFTP, L2TP,
 * ISAKMP). The request leaves on a **connected** socket, so Linux reports ICMP port unreachable as
 * ECONNREFUSED (NOT LISTENING) instead of silence. The caller says which datagram is its answer (an id,
 * a cookie); others are counted as strays, so "something answered, but not to us" is still visible.
 * A bounded number of datagrams is looked at; names are never resolved (addresses only).
 *
 * `anySourcePort`: protocols whose server answers from a fresh port (TFTP's TID, some L2TP servers) would
 * be filtered out by the connected socket. A second, unconnected socket shares the local port
 * (SO_REUSEADDR): Linux delivers datagrams matching the connected 4-tuple (and its ICMP errors) to the
 * connected socket and everything else from that port to the unconnected one, which accepts only the
 * target's address.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';

import type { ProtocolResult } from '../plugin.js';

export type UdpExchange =
  | { kind: 'reply'; bytes: Buffer; fromPort: number; strays: number }
  | { kind: 'refused' }
  | { kind: 'silence'; strays: number }
  | { kind: 'aborted' }
  | { kind: 'error'; code: string };

export interface UdpExchangeInput {
  address: string;
  port: number;
  /** Sent together, in order; resent together. */
  packets: readonly Buffer[];
  /** How long to listen, from the first send. */
  windowMs: number;
  /** Offset (ms) of one resend when nothing matched yet. */
  resendAtMs?: number;
  signal?: AbortSignal;
  /** Whether a datagram is the answer to our request; default: any datagram is. */
  isAnswer?: (msg: Buffer) => boolean;
  anySourcePort?: boolean;
  /** Runs on the answer before the sockets close (e.g. a polite teardown); `reply` sends to its source. */
  onAnswer?: (msg: Buffer, reply: (packet: Buffer) => void) => void;
}

/** A flood of junk must not cost unbounded CPU. */
const MAX_DATAGRAMS = 32;
/** Settle this much before ctx.timeoutMs so the caller's abort never has to fire. */
const SETTLE_MARGIN_MS = 25;

/** dgram's lookup hook: IP literals only. The caller resolved and scope-checked the address. */
export function addressOnlyLookup(
  host: string,
  _opts: unknown,
  cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(host);
  if (family === 0) cb(Object.assign(new Error('not an IP address'), { code: 'EINVAL' }), '', 0);
  else cb(null, host, family);
}

/** The listening window for a deadline and a resend at 40 % when there is time for one. */
export function udpTiming(timeoutMs: number): { windowMs: number; resendAtMs?: number } {
  const windowMs = Math.max(1, timeoutMs - Math.min(SETTLE_MARGIN_MS, timeoutMs / 10));
  return windowMs >= 250 ? { windowMs, resendAtMs: Math.round(windowMs * 0.4) } : { windowMs };
}

export function udpExchange(input: UdpExchangeInput): Promise<UdpExchange> {
  return new Promise<UdpExchange>((resolve) => {
    const family = isIP(input.address);
    if (family === 0) return resolve({ kind: 'error', code: 'EINVAL' });
    const type = family === 6 ? 'udp6' : 'udp4';
    const sockets: dgram.Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    let strays = 0;
    let datagrams = 0;
    let done = false;
    let answered = false;

    const settle = (e: UdpExchange): void => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      input.signal?.removeEventListener('abort', onAbort);
      for (const s of sockets) {
        try {
          s.close();
        } catch {
          // already closed
        }
      }
      resolve(e);
    };
    const onAbort = (): void => settle({ kind: 'aborted' });
    const onError = (err: NodeJS.ErrnoException): void =>
      settle(
        err.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'error', code: err.code ?? 'EUNKNOWN' },
      );

    const connected = dgram.createSocket({
      type,
      lookup: addressOnlyLookup,
      reuseAddr: !!input.anySourcePort,
    });
    sockets.push(connected);
    connected.on('error', onError);

    const onMessage = (msg: Buffer, fromPort: number, reply: (packet: Buffer) => void): void => {
      if (done || answered || ++datagrams > MAX_DATAGRAMS) return;
      let ours = true;
      try {
        ours = input.isAnswer ? input.isAnswer(msg) : true;
      } catch {
        ours = false;
      }
      if (!ours) return void strays++;
      answered = true;
      try {
        input.onAnswer?.(msg, reply);
      } catch {
        // a teardown courtesy; never fatal
      }
      // Let a courtesy datagram leave before the sockets close.
      setImmediate(() => settle({ kind: 'reply', bytes: msg, fromPort, strays }));
    };
    connected.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) =>
      onMessage(msg, rinfo.port, (packet) => connected.send(packet, () => undefined)),
    );

    const send = (): void => {
      for (const p of input.packets) {
        if (done || answered) return;
        connected.send(p, (err) => err && onError(err as NodeJS.ErrnoException));
      }
    };
    const start = (): void => {
      connected.connect(input.port, input.address, () => {
        if (done) return;
        send();
        if (input.resendAtMs !== undefined && input.resendAtMs < input.windowMs)
          timers.push(setTimeout(send, input.resendAtMs));
      });
    };

    if (input.signal?.aborted) return settle({ kind: 'aborted' });
    input.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(() => settle({ kind: 'silence', strays }), Math.max(0, input.windowMs)));

    if (!input.anySourcePort) return start();
    // The unconnected twin first (ephemeral port), then the connected socket on the same port.
    const any = dgram.createSocket({ type, lookup: addressOnlyLookup, reuseAddr: true });
    sockets.push(any);
    any.on('error', onError);
    any.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      if (rinfo.address === input.address)
        onMessage(msg, rinfo.port, (packet) => any.send(packet, rinfo.port, input.address, () => undefined));
    });
    const wildcard = family === 6 ? '::' : '0.0.0.0';
    any.bind(0, wildcard, () => {
      if (done) return;
      connected.bind(any.address().port, wildcard, start);
    });
  });
}

/** The result for every outcome but a reply: refused, silence (or only strays), abort, socket error. */
export function noReplyResult(
  e: Exclude<UdpExchange, { kind: 'reply' }>,
  label: string,
  windowMs: number,
): ProtocolResult & { answered: boolean } {
  switch (e.kind) {
    case 'refused':
      return { status: 'connection-refused', answered: false, detail: 'ICMP port unreachable' };
    case 'silence':
      return e.strays > 0
        ? {
            status: 'protocol-error',
            answered: true,
            detail: `${e.strays} datagram(s) that are not an answer to the ${label} query`,
          }
        : {
            status: 'io-timeout',
            answered: false,
            detail: `no ${label} answer within ${Math.round(windowMs)} ms`,
          };
    case 'aborted':
      return { status: 'io-timeout', answered: false, detail: `${label} query aborted` };
    case 'error':
      return { status: 'io-timeout', answered: false, detail: `no ${label} answer (socket error ${e.code})` };
  }
}

/** Printable, single-line, capped text from peer bytes (evidence and names). */
export function printableText(bytes: Buffer | string, max = 200): string {
  const s = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
