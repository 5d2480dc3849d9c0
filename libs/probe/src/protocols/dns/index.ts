/**
 * DNS (UDP and TCP 53), PortQry-style: send one query; ANY DNS answer, even NXDOMAIN, REFUSED or
 * SERVFAIL, proves a server is listening (success). A reply that is not valid DNS is protocol-error,
 * but still answered: something is there.
 */
import { randomInt } from 'node:crypto';

import type { Observation } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { queryWindowMs } from '../query-window.js';
import type { DnsOptions } from './options.js';
import { buildQuery, frame, parseReply, questionFor, validateQueryName } from './message.js';
import { noReplyResult, udpExchange } from '../common/udp-exchange.js';
import { type TcpExchange, tcpExchange } from './tcp-exchange.js';

type DnsResult = ProtocolResult & { answered: boolean };

/** DNS over TCP never exceeds 65535 bytes; the configured cap applies, with room for a normal answer. */
const MIN_TCP_CAP = 4096;

/** Every TCP outcome but a whole answer. */
function fromTcpExchange(e: Exclude<TcpExchange, { kind: 'reply' }>, windowMs: number): DnsResult {
  switch (e.kind) {
    case 'refused':
      return { status: 'connection-refused', answered: false, detail: 'connection refused' };
    case 'connect-timeout':
      return {
        status: 'connection-timeout',
        answered: false,
        detail: `no TCP connection within ${Math.round(windowMs)} ms`,
      };
    case 'closed':
      return e.received > 0
        ? {
            status: 'protocol-error',
            answered: true,
            detail: `connection ended after ${e.received} bytes, before a whole DNS message`,
          }
        : { status: 'io-timeout', answered: false, detail: 'connection ended without a DNS answer' };
    case 'too-large':
      return {
        status: 'truncated',
        answered: true,
        detail: `DNS answer of ${e.announced} bytes exceeds the response cap`,
      };
    case 'aborted':
      return { status: 'io-timeout', answered: false, detail: 'DNS query aborted' };
    case 'error':
      return { status: 'io-timeout', answered: false, detail: `no DNS answer (socket error ${e.code})` };
  }
}

async function query(ctx: ProtocolContext<DnsOptions>): Promise<DnsResult> {
  const question = questionFor(ctx.options.queryName);
  const problem = validateQueryName(question.name);
  if (problem)
    return { status: 'application-error', answered: false, detail: `${problem}; no DNS query sent` };
  const proto = ctx.proto;
  const id = randomInt(0, 0x10000);
  const packet = buildQuery(id, question);
  let bytes: Buffer;
  if (proto === 'udp') {
    const e = await udpExchange({
      ctx,
      packets: [packet],
      // Too short to carry an id, or carrying ours: the answer (valid or not, the parser decides).
      isAnswer: (msg) => msg.length < 2 || msg.readUInt16BE(0) === id,
    });
    if (e.kind !== 'reply') return noReplyResult(e, 'DNS');
    bytes = e.bytes;
  } else {
    const windowMs = queryWindowMs(ctx.timeoutMs);
    const e = await tcpExchange({
      address: ctx.address,
      port: ctx.port,
      windowMs,
      signal: ctx.signal,
      ...(ctx.sourcePort !== undefined ? { localPort: ctx.sourcePort } : {}),
      packet: frame(packet),
      maxBytes: Math.max(ctx.options.maxResponseBytes, MIN_TCP_CAP),
    });
    if (e.kind !== 'reply') return fromTcpExchange(e, windowMs);
    bytes = e.bytes;
  }

  const parsed = parseReply(bytes, id, question, proto);
  if (!parsed.ok) return { status: 'protocol-error', answered: true, detail: parsed.error };
  const d = parsed.data;
  const first = d.answers[0];
  return {
    status: 'success',
    answered: true,
    detail: `DNS ${d.rcode}, ${d.answers.length} answer(s)`,
    evidence:
      `rcode=${d.rcode} flags=${d.flags.join(',')}${first ? ` ${first.name} ${first.type} ${first.data}` : ''}`.slice(
        0,
        300,
      ),
    data: { dns: d },
  };
}

function describe(obs: Observation): string[] {
  const d = obs.dns;
  if (!d) return obs.protocol?.detail ? [`DNS query: ${obs.protocol.detail}`] : [];
  return [
    `DNS query (${d.transport.toUpperCase()}) for ${d.question.name} ${d.question.type}: ${d.rcode}`,
    `flags: ${d.flags.join(' ') || '(none)'}`,
    ...d.answers.map((a) => `answer: ${a.name} ${a.type} ${a.data}`),
  ];
}

export const dnsPlugin: ProtocolPlugin<DnsOptions> = {
  name: 'dns',
  ports: { udp: [53], tcp: [53] },
  query,
  describe,
};
