/**
 * One connected UDP socket per host: every community×version request leaves at once with its own
 * request-id, answers are matched by request-id (and version and community), unanswered requests are
 * resent once, and the sweep ends when all are answered or the window closes. A connected socket is
 * what makes Linux report ICMP port unreachable as ECONNREFUSED (NOT LISTENING) instead of silence.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';

import { addressOnlyLookup } from '../udp-query/udp-exchange.js';
import { decodeResponse, type SnmpResponse, type SnmpVersion } from './message.js';
import { decodeV3Report, looksLikeV3, type V3Report } from './v3.js';

export interface SweepRequest {
  requestId: number;
  version: SnmpVersion;
  community: string;
  packet: Buffer;
}

export interface SweepInput {
  address: string;
  port: number;
  requests: readonly SweepRequest[];
  /** How long to listen, from the first send. */
  windowMs: number;
  /** Offsets (ms from start) at which still-unanswered requests are resent; keep it short. */
  resendAtMs: readonly number[];
  signal?: AbortSignal;
  /**
   * SNMPv3 engine discovery riding along: sent first in every burst on the same socket. Its Report is
   * extra data only — v3 datagrams never count as answers, malformed or unmatched, so they cannot
   * change the state the community requests decide. Once every community request is answered, the
   * sweep waits at most V3_GRACE_MS more for it.
   */
  v3?: { msgId: number; packet: Buffer };
}

/** How long a fully answered community sweep still waits for the v3 Report (sent in the same burst). */
export const V3_GRACE_MS = 50;

/**
 * Once the agent has answered v3 discovery it is known to be up and quick, so silence to a community
 * means rejection sooner than the full window: wait this floor, or ten times the agent's measured
 * answer time, whichever is longer (and never past the window). Unanswered requests are resent at
 * that moment, so one lost datagram cannot turn an accepted community into a rejected one.
 */
export const ALIVE_QUIET_MS = 250;

export type SweepEnd = 'all-answered' | 'window-closed' | 'refused' | 'socket-error' | 'aborted';

export interface SweepOutcome {
  end: SweepEnd;
  /** Answers keyed by request-id. */
  answers: Map<number, SnmpResponse>;
  /** Datagrams that did not decode as an SNMP Response, and the first reason. */
  malformed: number;
  malformedReason?: string;
  /** Well-formed responses that matched no request. */
  unmatched: number;
  /** errno code for `socket-error` / `refused`. */
  errorCode?: string;
  datagrams: number;
  /** The agent's engine parameters, when v3 discovery was sent and answered. */
  engine?: V3Report;
}

/** A flood of junk must not cost unbounded CPU: stop decoding after this many datagrams per request. */
const DATAGRAMS_PER_REQUEST = 4;

export function runSweep(input: SweepInput): Promise<SweepOutcome> {
  const outcome: SweepOutcome = {
    end: 'window-closed',
    answers: new Map(),
    malformed: 0,
    unmatched: 0,
    datagrams: 0,
  };
  const byId = new Map(input.requests.map((r) => [r.requestId, r]));
  const maxDatagrams = (input.requests.length + (input.v3 ? 1 : 0)) * DATAGRAMS_PER_REQUEST + 16;

  return new Promise<SweepOutcome>((resolve) => {
    const family = isIP(input.address);
    if (family === 0) {
      resolve({ ...outcome, end: 'socket-error', errorCode: 'EINVAL' });
      return;
    }
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: addressOnlyLookup });
    const timers: NodeJS.Timeout[] = [];
    let settled = false;

    const finish = (end: SweepEnd, errorCode?: string): void => {
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
    const onError = (err: NodeJS.ErrnoException): void => {
      finish(err.code === 'ECONNREFUSED' ? 'refused' : 'socket-error', err.code ?? 'EUNKNOWN');
    };

    let graceTimer = false;
    let startedAt = 0;
    const agentAlive = (): void => {
      const elapsed = performance.now() - startedAt;
      const quiet = Math.max(ALIVE_QUIET_MS, 10 * elapsed);
      if (elapsed + quiet >= input.windowMs) return;
      sendUnanswered();
      timers.push(setTimeout(() => finish('window-closed'), quiet));
    };
    const maybeFinish = (): void => {
      if (outcome.answers.size !== input.requests.length) return;
      if (!input.v3 || outcome.engine) return finish('all-answered');
      if (graceTimer) return;
      graceTimer = true;
      timers.push(setTimeout(() => finish('all-answered'), V3_GRACE_MS));
    };

    const sendUnanswered = (): void => {
      if (input.v3 && !outcome.engine && !settled)
        socket.send(input.v3.packet, (err) => {
          if (err) onError(err as NodeJS.ErrnoException);
        });
      for (const req of input.requests) {
        if (settled) return;
        if (outcome.answers.has(req.requestId)) continue;
        // On a connected socket an earlier ICMP unreachable surfaces here as ECONNREFUSED.
        socket.send(req.packet, (err) => {
          if (err) onError(err as NodeJS.ErrnoException);
        });
      }
    };

    socket.on('error', onError);
    socket.on('message', (msg: Buffer) => {
      if (settled || ++outcome.datagrams > maxDatagrams) return;
      if (input.v3 && looksLikeV3(msg)) {
        const v3 = decodeV3Report(msg);
        if (v3.ok && v3.report.msgId === input.v3.msgId && !outcome.engine) {
          outcome.engine = v3.report;
          if (outcome.answers.size === input.requests.length) maybeFinish();
          else agentAlive();
        }
        return;
      }
      const decoded = decodeResponse(msg);
      if (!decoded.ok) {
        outcome.malformed++;
        outcome.malformedReason ??= decoded.error;
        return;
      }
      const m = decoded.message;
      const req = byId.get(m.requestId);
      if (!req || req.version !== m.version || !m.community.equals(Buffer.from(req.community, 'utf8'))) {
        outcome.unmatched++;
        return;
      }
      if (!outcome.answers.has(m.requestId)) outcome.answers.set(m.requestId, m);
      maybeFinish();
    });

    if (input.signal?.aborted) {
      finish('aborted');
      return;
    }
    input.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(() => finish('window-closed'), Math.max(0, input.windowMs)));
    socket.connect(input.port, input.address, () => {
      if (settled) return;
      startedAt = performance.now();
      sendUnanswered();
      for (const at of input.resendAtMs) if (at < input.windowMs) timers.push(setTimeout(sendUnanswered, at));
    });
  });
}
