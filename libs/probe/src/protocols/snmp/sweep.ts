/**
 * One udp-session per host (connected socket, resends, the adaptive silence clock): every
 * community×version request leaves at once with its own request-id, answers are matched by request-id
 * (and version and community), unanswered requests are resent, and the sweep ends when all are answered
 * or silence is final. A connected socket is what makes Linux report ICMP port unreachable as
 * ECONNREFUSED (NOT LISTENING) instead of silence.
 */
import type { ProtocolContext } from '../plugin.js';
import { type CollectedEnd, collectedEnd, runUdpSession, sessionOf } from '../common/udp-session.js';
import { decodeResponse, type SnmpResponse, type SnmpVersion } from './message.js';
import { decodeV3Report, looksLikeV3, type V3Report } from './v3.js';

export interface SweepRequest {
  requestId: number;
  version: SnmpVersion;
  community: string;
  packet: Buffer;
}

export interface SweepInput {
  /** The plugin's context: address, port, deadline, abort signal and the engine's patience. */
  ctx: Pick<ProtocolContext, 'address' | 'port' | 'timeoutMs' | 'signal' | 'patience'>;
  requests: readonly SweepRequest[];
  /**
   * SNMPv3 engine discovery riding along: sent first in every burst on the same socket. Its Report is
   * extra data only — v3 datagrams never count as answers, malformed or unmatched, so they cannot
   * change the state the community requests decide. Once every community request is answered, the
   * sweep waits at most V3_GRACE_MS more for it.
   */
  v3?: { msgId: number; packet: Buffer };
  /** Called once, when the v3 discovery Report arrives (the agent speaks v3). */
  onEngine?: () => void;
}

/** How long a fully answered community sweep still waits for the v3 Report (sent in the same burst). */
const V3_GRACE_MS = 50;

/**
 * Once the agent has answered v3 discovery it is known to be up and quick, so silence to a community
 * means rejection sooner than the full window: wait this floor, or ten times the agent's measured
 * answer time, whichever is longer (and never past the window). Unanswered requests are resent at
 * that moment, so one lost datagram cannot turn an accepted community into a rejected one.
 */
const ALIVE_QUIET_MS = 250;

export interface SweepOutcome {
  /** `answered`: every community request was answered. */
  end: CollectedEnd;
  /** Answers keyed by request-id. */
  answers: Map<number, SnmpResponse>;
  /** Datagrams that did not decode as an SNMP Response, and the first reason. */
  malformed: number;
  malformedReason?: string;
  /** Well-formed responses that matched no request. */
  unmatched: number;
  /** errno code for `socket-error`. */
  errorCode?: string;
  datagrams: number;
  /** The agent's engine parameters, when v3 discovery was sent and answered. */
  engine?: V3Report;
  /** How long it listened, from the first send (ms). */
  listenedMs: number;
}

/** A flood of junk must not cost unbounded CPU: stop decoding after this many datagrams per request. */
const DATAGRAMS_PER_REQUEST = 4;

export async function runSweep(input: SweepInput): Promise<SweepOutcome> {
  const answers = new Map<number, SnmpResponse>();
  let engine: V3Report | undefined;
  let malformed = 0;
  let malformedReason: string | undefined;
  let unmatched = 0;
  let datagrams = 0;
  let graceStarted = false;
  const byId = new Map(input.requests.map((r) => [r.requestId, r]));
  const allAnswered = (): boolean => answers.size === input.requests.length;

  const where = sessionOf(input.ctx);
  const r = await runUdpSession({
    ...where,
    maxDatagrams: (input.requests.length + (input.v3 ? 1 : 0)) * DATAGRAMS_PER_REQUEST + 16,
    outgoing: () => [
      ...(input.v3 && !engine ? [input.v3.packet] : []),
      ...input.requests.filter((req) => !answers.has(req.requestId)).map((req) => req.packet),
    ],
    onDatagram: (msg, _from, session) => {
      datagrams++;
      const maybeFinish = (): void => {
        if (!allAnswered()) return;
        if (!input.v3 || engine) return session.finish();
        if (graceStarted) return;
        graceStarted = true;
        session.endAfter(V3_GRACE_MS);
      };
      if (input.v3 && looksLikeV3(msg)) {
        const v3 = decodeV3Report(msg);
        if (v3.ok && v3.report.msgId === input.v3.msgId && !engine) {
          engine = v3.report;
          input.onEngine?.();
          if (allAnswered()) return maybeFinish();
          // The agent is up: silence to a community now means rejection (see ALIVE_QUIET_MS).
          const elapsed = session.elapsedMs();
          const quiet = Math.max(ALIVE_QUIET_MS, 10 * elapsed);
          if (elapsed + quiet >= where.windowMs) return;
          session.resend();
          session.endAfter(quiet);
        }
        return;
      }
      const decoded = decodeResponse(msg);
      if (!decoded.ok) {
        malformed++;
        malformedReason ??= decoded.error;
        return;
      }
      const m = decoded.message;
      const req = byId.get(m.requestId);
      if (!req || req.version !== m.version || !m.community.equals(Buffer.from(req.community, 'utf8'))) {
        unmatched++;
        return;
      }
      if (!answers.has(m.requestId)) answers.set(m.requestId, m);
      maybeFinish();
    },
  });

  return {
    end: collectedEnd(r.end, allAnswered()),
    answers,
    malformed,
    ...(malformedReason !== undefined ? { malformedReason } : {}),
    unmatched,
    ...(r.end.kind === 'error' ? { errorCode: r.end.code } : {}),
    datagrams,
    ...(engine ? { engine } : {}),
    listenedMs: r.listenedMs,
  };
}
