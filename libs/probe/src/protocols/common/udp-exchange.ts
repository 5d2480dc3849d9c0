/**
 * One request/answer over UDP for the formatted-query plugins (DNS, NetBIOS, SQL browser, NTP, TFTP,
 * L2TP, ISAKMP), on a udp-session (connected socket, resends, the adaptive silence clock). The caller
 * says which datagram is its answer (an id, a cookie); others are counted as strays, so "something
 * answered, but not to us" is still visible.
 */
import type { ProtocolContext, ProtocolResult } from '../plugin.js';
import { runUdpSession, sessionOf } from './udp-session.js';

export type UdpExchange = (
  | { kind: 'reply'; bytes: Buffer; fromPort: number; strays: number }
  | { kind: 'refused' }
  | { kind: 'silence'; strays: number }
  | { kind: 'aborted' }
  | { kind: 'error'; code: string }
) & { /** How long it listened, from the first send (ms). */ listenedMs: number };

export interface UdpExchangeInput {
  /** The plugin's context: address, port, deadline, abort signal and the engine's patience. */
  ctx: Pick<ProtocolContext, 'address' | 'port' | 'timeoutMs' | 'signal' | 'patience'>;
  /** Sent together, in order; resent together. */
  packets: readonly Buffer[];
  /** Whether a datagram is the answer to our request; default: any datagram is. */
  isAnswer?: (msg: Buffer) => boolean;
  anySourcePort?: boolean;
  /** Runs on the answer before the sockets close (e.g. a polite teardown); `reply` sends to its source. */
  onAnswer?: (msg: Buffer, reply: (packet: Buffer) => void) => void;
}

/** A flood of junk must not cost unbounded CPU. */
const MAX_DATAGRAMS = 32;

export async function udpExchange(input: UdpExchangeInput): Promise<UdpExchange> {
  const { ctx } = input;
  let strays = 0;
  let answer: { bytes: Buffer; fromPort: number } | undefined;
  const r = await runUdpSession({
    ...sessionOf(ctx),
    maxDatagrams: MAX_DATAGRAMS,
    anySourcePort: input.anySourcePort,
    outgoing: () => (answer ? [] : input.packets),
    onDatagram: (msg, from, session) => {
      if (answer) return;
      let ours = true;
      try {
        ours = input.isAnswer ? input.isAnswer(msg) : true;
      } catch {
        ours = false;
      }
      if (!ours) return void strays++;
      answer = { bytes: msg, fromPort: from.port };
      try {
        input.onAnswer?.(msg, from.reply);
      } catch {
        // a teardown courtesy; never fatal
      }
      // Let a courtesy datagram leave before the sockets close.
      setImmediate(() => session.finish());
    },
  });
  const { end, listenedMs } = r;
  if (answer) return { kind: 'reply', ...answer, strays, listenedMs };
  // 'done' only follows an answer.
  if (end.kind === 'done' || end.kind === 'silence') return { kind: 'silence', strays, listenedMs };
  return { ...end, listenedMs };
}

/** The result for every outcome but a reply: refused, silence (or only strays), abort, socket error. */
export function noReplyResult(
  e: Exclude<UdpExchange, { kind: 'reply' }>,
  label: string,
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
            detail: `no ${label} answer within ${Math.round(e.listenedMs)} ms`,
          };
    case 'aborted':
      return { status: 'io-timeout', answered: false, detail: `${label} query aborted` };
    case 'error':
      return { status: 'io-timeout', answered: false, detail: `no ${label} answer (socket error ${e.code})` };
  }
}
