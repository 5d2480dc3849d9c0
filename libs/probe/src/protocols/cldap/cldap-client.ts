/**
 * One CLDAP exchange on a udp-session (connected socket, resends, the adaptive silence clock): the
 * rootDSE search is sent and resent while unanswered; the first datagram that decodes with our message
 * id (and holds the SearchResultDone, or at least the entry) ends it. Never throws.
 */
import type { ProtocolContext } from '../plugin.js';
import { type CollectedEnd, collectedEnd, runUdpSession, sessionOf } from '../common/udp-session.js';
import { type CldapAnswer, decodeCldapDatagram } from './message.js';

export interface ExchangeInput {
  ctx: Pick<ProtocolContext, 'address' | 'port' | 'timeoutMs' | 'signal' | 'patience'>;
  request: Buffer;
  messageId: number;
}

export interface ExchangeOutcome {
  end: CollectedEnd;
  answer?: CldapAnswer;
  /** Datagrams that did not decode, and the first reason. */
  malformed: number;
  malformedReason?: string;
  /** Well-formed answers for another message id. */
  unmatched: number;
  datagrams: number;
  errorCode?: string;
  /** How long it listened, from the first send (ms). */
  listenedMs: number;
}

/** Junk floods cost bounded CPU: datagrams past this are not decoded. */
const MAX_DATAGRAMS = 32;

export async function exchange(input: ExchangeInput): Promise<ExchangeOutcome> {
  const { ctx } = input;
  let answer: CldapAnswer | undefined;
  let malformed = 0;
  let malformedReason: string | undefined;
  let unmatched = 0;
  let datagrams = 0;
  const r = await runUdpSession({
    ...sessionOf(ctx),
    maxDatagrams: MAX_DATAGRAMS,
    outgoing: () => (answer?.done ? [] : [input.request]),
    onDatagram: (msg, _from, session) => {
      datagrams++;
      const d = decodeCldapDatagram(msg);
      if (!d.ok) {
        malformed++;
        malformedReason ??= d.error;
        return;
      }
      if (d.answer.messageId !== input.messageId) return void unmatched++;
      // Keep the first entry seen; a later datagram may bring the SearchResultDone.
      answer = answer ? { ...answer, ...(d.answer.done ? { done: d.answer.done } : {}) } : d.answer;
      if (answer.done) session.finish();
    },
  });
  return {
    end: collectedEnd(r.end, answer !== undefined),
    ...(answer ? { answer } : {}),
    malformed,
    ...(malformedReason !== undefined ? { malformedReason } : {}),
    unmatched,
    datagrams,
    ...(r.end.kind === 'error' ? { errorCode: r.end.code } : {}),
    listenedMs: r.listenedMs,
  };
}
