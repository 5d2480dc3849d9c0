/**
 * NTP (UDP 123): a mode 3 client request; the server's reply gives version, stratum, reference id,
 * precision, root delay/dispersion and reference time. Any reply echoing our cookie proves a server
 * (LISTENING); a kiss-of-death (stratum 0, e.g. RATE/DENY) is an answer too, reported as
 * application-error with the kiss code.
 */
import type { Observation } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { noReplyResult, udpExchange } from '../common/udp-exchange.js';
import { answersRequest, buildClientRequest, parseReply } from './packet.js';

export { answersRequest, buildClientRequest, cookieOf, ntpTime, parseReply } from './packet.js';

type NtpResult = ProtocolResult & { answered: boolean };

async function query(ctx: ProtocolContext): Promise<NtpResult> {
  const request = buildClientRequest();
  const e = await udpExchange({
    ctx,
    packets: [request],
    isAnswer: (msg) => answersRequest(msg, request),
  });
  if (e.kind !== 'reply') return noReplyResult(e, 'NTP');
  const parsed = parseReply(e.bytes);
  if (!parsed.ok)
    return {
      status: 'protocol-error',
      answered: true,
      detail: `reply is not an NTP server reply: ${parsed.error}`,
    };
  const d = parsed.data;
  const evidence = `NTPv${d.version} stratum ${d.stratum} refid ${d.refId}`;
  if (d.kissCode !== undefined)
    return {
      status: 'application-error',
      answered: true,
      detail: `NTP kiss-of-death ${d.kissCode}`,
      evidence,
      data: { ntp: d },
    };
  return {
    status: 'success',
    answered: true,
    detail: `NTP server, stratum ${d.stratum}${d.leap === 'unsynchronized' ? ' (unsynchronized)' : ''}`,
    evidence,
    data: { ntp: d },
  };
}

const seconds = (s: number): string => `${s.toFixed(6)} s`;

/** ntpq-like lines. */
function describe(obs: Observation): string[] {
  const n = obs.ntp;
  if (!n) return obs.protocol?.detail ? [`NTP query: ${obs.protocol.detail}`] : [];
  return [
    `NTP response: version ${n.version}, mode ${n.mode}, leap ${n.leap}`,
    `stratum: ${n.stratum}${n.kissCode !== undefined ? ` (kiss code ${n.kissCode})` : ''}`,
    `reference id: ${n.refId}`,
    `precision: 2^${n.precision}, poll: 2^${n.poll}`,
    `root delay: ${seconds(n.rootDelay)}, root dispersion: ${seconds(n.rootDispersion)}`,
    `reference time: ${n.referenceTime ?? '(never synchronized)'}`,
    ...(n.transmitTime ? [`server time: ${n.transmitTime}`] : []),
  ];
}

export const ntpPlugin: ProtocolPlugin = {
  name: 'ntp',
  ports: { udp: [123] },
  query,
  describe,
};
