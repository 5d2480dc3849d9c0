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
import { exactly } from '../common/framing.js';
import { TcpConversation, type Failure } from '../common/tcp-conversation.js';
import { noReplyResult, udpExchange } from '../common/udp-exchange.js';

type DnsResult = ProtocolResult & { answered: boolean };

/** DNS over TCP never exceeds 65535 bytes; the configured cap applies, with room for a normal answer. */
const MIN_TCP_CAP = 4096;

/**
 * DNS over TCP: the framed query out, the announced length in, then exactly that many bytes, within the
 * query's window and the byte cap (an announced length over the cap is `truncated` at once).
 */
async function tcpAnswer(ctx: ProtocolContext, packet: Buffer): Promise<Buffer | DnsResult> {
  const cap = Math.max(ctx.options.maxResponseBytes, MIN_TCP_CAP);
  const opened = await TcpConversation.open({
    address: ctx.address,
    port: ctx.port,
    timeoutMs: queryWindowMs(ctx.timeoutMs),
    signal: ctx.signal,
    maxBytes: cap,
    ...(ctx.sourcePort !== undefined ? { localPort: ctx.sourcePort } : {}),
  });
  if (!opened.ok)
    return {
      status: opened.status,
      answered: opened.answered ?? false,
      detail: `DNS over TCP: ${opened.detail}`,
    };
  const conv = opened.conversation;
  const failed = (f: Failure): DnsResult => ({
    status: f.status,
    answered: conv.answered,
    detail: `DNS over TCP: ${f.detail}`,
  });
  try {
    conv.write(frame(packet));
    const head = await conv.read(exactly(2)); // RFC 1035 §4.2.2: a two-byte length first
    if (!head.ok) return failed(head);
    const announced = head.frame.readUInt16BE(0);
    if (announced > cap)
      return {
        status: 'truncated',
        answered: true,
        detail: `DNS answer of ${announced} bytes exceeds the response cap`,
      };
    if (announced === 0) return Buffer.alloc(0);
    const body = await conv.read(exactly(announced));
    return body.ok ? body.frame : failed(body);
  } finally {
    conv.close();
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
    const answer = await tcpAnswer(ctx, packet);
    if (!Buffer.isBuffer(answer)) return answer;
    bytes = answer;
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
