/**
 * ISAKMP/IKE (UDP 500): an IKEv2 IKE_SA_INIT and an IKEv1 Main Mode proposal leave in one burst on
 * one socket, each with its own initiator SPI. Any reply carrying one of them — an SA, a NOTIFY such
 * as NO_PROPOSAL_CHOSEN or INVALID_KE_PAYLOAD, a COOKIE — proves an IKE responder (LISTENING).
 */
import { randomBytes } from 'node:crypto';

import type { Observation } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { printableText } from '../common/printable.js';
import { noReplyResult, udpExchange } from '../common/udp-exchange.js';
import { buildIkev1MainMode, buildIkev2SaInit, parseIkeReply, summary } from './message.js';

export { buildIkev1MainMode, buildIkev2SaInit, parseIkeReply, summary } from './message.js';

type IkeResult = ProtocolResult & { answered: boolean };

async function query(ctx: ProtocolContext): Promise<IkeResult> {
  const spiV2 = randomBytes(8);
  const spiV1 = randomBytes(8);
  const e = await udpExchange({
    ctx,
    packets: [buildIkev2SaInit(spiV2), buildIkev1MainMode(spiV1)],
    // Replies echo the initiator SPI; anything too short to carry one goes to the parser.
    isAnswer: (msg) => msg.length < 8 || msg.subarray(0, 8).equals(spiV2) || msg.subarray(0, 8).equals(spiV1),
  });
  if (e.kind !== 'reply') return noReplyResult(e, 'ISAKMP');
  const parsed = parseIkeReply(e.bytes);
  if (!parsed.ok)
    return {
      status: 'protocol-error',
      answered: true,
      detail: `reply is not an ISAKMP message: ${parsed.error}`,
      evidence: printableText(e.bytes.subarray(0, 100)),
    };
  const text = summary(parsed.reply);
  return { status: 'success', answered: true, detail: `IKE responder answered: ${text}`, evidence: text };
}

function describe(obs: Observation): string[] {
  return obs.protocol?.detail ? [`ISAKMP query: ${obs.protocol.detail}`] : [];
}

export const isakmpPlugin: ProtocolPlugin = {
  name: 'isakmp',
  ports: { udp: [500] },
  query,
  describe,
};
