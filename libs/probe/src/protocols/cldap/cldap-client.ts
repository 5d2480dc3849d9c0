/**
 * One CLDAP exchange on a connected UDP socket: the rootDSE search leaves once (and once more at 40 %
 * of the window when still unanswered); the first datagram that decodes with our message id (and holds
 * the SearchResultDone, or at least the entry) ends it. A connected socket makes Linux report ICMP port
 * unreachable as ECONNREFUSED. Never throws.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';

import { addressOnlyLookup } from '../udp-query/udp-exchange.js';
import { type CldapAnswer, decodeCldapDatagram } from './message.js';

export interface ExchangeInput {
  address: string;
  port: number;
  request: Buffer;
  messageId: number;
  windowMs: number;
  signal?: AbortSignal;
}

export interface ExchangeOutcome {
  end: 'answered' | 'window-closed' | 'refused' | 'socket-error' | 'aborted';
  answer?: CldapAnswer;
  /** Datagrams that did not decode, and the first reason. */
  malformed: number;
  malformedReason?: string;
  /** Well-formed answers for another message id. */
  unmatched: number;
  datagrams: number;
  errorCode?: string;
}

/** Junk floods cost bounded CPU: datagrams past this are not decoded. */
const MAX_DATAGRAMS = 32;

export function exchange(input: ExchangeInput): Promise<ExchangeOutcome> {
  const outcome: ExchangeOutcome = { end: 'window-closed', malformed: 0, unmatched: 0, datagrams: 0 };
  return new Promise((resolve) => {
    const family = isIP(input.address);
    if (family === 0) {
      resolve({ ...outcome, end: 'socket-error', errorCode: 'EINVAL' });
      return;
    }
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: addressOnlyLookup });
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const finish = (end: ExchangeOutcome['end'], errorCode?: string): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      input.signal?.removeEventListener('abort', onAbort);
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve({ ...outcome, end, ...(errorCode ? { errorCode } : {}) });
    };
    const onAbort = (): void => finish('aborted');
    const onError = (err: NodeJS.ErrnoException): void =>
      finish(err.code === 'ECONNREFUSED' ? 'refused' : 'socket-error', err.code ?? 'EUNKNOWN');
    const send = (): void => {
      if (settled || outcome.answer?.done) return;
      socket.send(input.request, (err) => {
        if (err) onError(err as NodeJS.ErrnoException);
      });
    };
    socket.on('error', onError);
    socket.on('message', (msg: Buffer) => {
      if (settled || ++outcome.datagrams > MAX_DATAGRAMS) return;
      const d = decodeCldapDatagram(msg);
      if (!d.ok) {
        outcome.malformed++;
        outcome.malformedReason ??= d.error;
        return;
      }
      if (d.answer.messageId !== input.messageId) {
        outcome.unmatched++;
        return;
      }
      // Keep the first entry seen; a later datagram may bring the SearchResultDone.
      outcome.answer = outcome.answer
        ? { ...outcome.answer, ...(d.answer.done ? { done: d.answer.done } : {}) }
        : d.answer;
      if (outcome.answer.done) finish('answered');
    });
    if (input.signal?.aborted) {
      finish('aborted');
      return;
    }
    input.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(
      setTimeout(() => finish(outcome.answer ? 'answered' : 'window-closed'), Math.max(0, input.windowMs)),
    );
    socket.connect(input.port, input.address, () => {
      if (settled) return;
      send();
      if (input.windowMs >= 250) timers.push(setTimeout(send, Math.round(input.windowMs * 0.4)));
    });
  });
}
