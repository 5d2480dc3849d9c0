/**
 * L2TP (UDP 1701): an SCCRQ opening a control connection. Any L2TP control message addressed to our
 * tunnel id (SCCRP, StopCCN, a ZLB ack) proves an L2TP endpoint (LISTENING). After an SCCRP the tunnel
 * is closed again at once with a StopCCN, so the peer does not keep retransmitting.
 */
import { randomInt } from 'node:crypto';

import type { Observation } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { printableText } from '../common/printable.js';
import { noReplyResult, udpExchange } from '../common/udp-exchange.js';
import { buildSccrq, buildStopCcn, parseControl, summary } from './message.js';

export { buildSccrq, parseControl } from './message.js';

type L2tpResult = ProtocolResult & { answered: boolean };

async function query(ctx: ProtocolContext): Promise<L2tpResult> {
  const ourTunnelId = randomInt(1, 0x10000);
  const e = await udpExchange({
    ctx,
    packets: [buildSccrq(ourTunnelId)],
    // RFC 2661 lets the responder answer from another port.
    anySourcePort: true,
    // Control messages to us carry our tunnel id; anything too short to carry one goes to the parser.
    isAnswer: (msg) => msg.length < 6 || msg.readUInt16BE(4) === ourTunnelId,
    onAnswer: (msg, reply) => {
      const p = parseControl(msg);
      if (p.ok && p.reply.messageType === 'SCCRP' && p.reply.peerTunnelId)
        reply(buildStopCcn(p.reply.peerTunnelId, ourTunnelId));
    },
  });
  if (e.kind !== 'reply') return noReplyResult(e, 'L2TP');
  const parsed = parseControl(e.bytes);
  if (!parsed.ok)
    return {
      status: 'protocol-error',
      answered: true,
      detail: `reply is not an L2TP control message: ${parsed.error}`,
      evidence: printableText(e.bytes.subarray(0, 100)),
    };
  const text = summary(parsed.reply);
  return { status: 'success', answered: true, detail: `L2TP endpoint answered: ${text}`, evidence: text };
}

function describe(obs: Observation): string[] {
  return obs.protocol?.detail ? [`L2TP SCCRQ: ${obs.protocol.detail}`] : [];
}

export const l2tpPlugin: ProtocolPlugin = {
  name: 'l2tp',
  ports: { udp: [1701] },
  query,
  describe,
};
