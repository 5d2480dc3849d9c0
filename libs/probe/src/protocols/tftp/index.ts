/**
 * TFTP (UDP 69): a read request for a random, non-existent file. Any TFTP packet back — normally ERROR
 * "file not found" — proves a server (LISTENING). The server answers from a new port (its transfer
 * id), so the exchange also listens on the local port for other source ports of the target. Should a
 * file of that name exist, the transfer is aborted with an ERROR packet.
 */
import type { Observation } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { printableText } from '../common/printable.js';
import { noReplyResult, udpExchange } from '../common/udp-exchange.js';
import { buildAbort, buildReadRequest, describeReply, OPCODE, parseReply } from './packet.js';

export { buildReadRequest, parseReply } from './packet.js';

type TftpResult = ProtocolResult & { answered: boolean };

async function query(ctx: ProtocolContext): Promise<TftpResult> {
  const e = await udpExchange({
    ctx,
    packets: [buildReadRequest()],
    anySourcePort: true,
    onAnswer: (msg, reply) => {
      const opcode = msg.length >= 2 ? msg.readUInt16BE(0) : 0;
      if (opcode === OPCODE.DATA || opcode === OPCODE.OACK) reply(buildAbort());
    },
  });
  if (e.kind !== 'reply') return noReplyResult(e, 'TFTP');
  const parsed = parseReply(e.bytes);
  if (!parsed.ok)
    return {
      status: 'protocol-error',
      answered: true,
      detail: `reply is not a TFTP packet: ${parsed.error}`,
      evidence: printableText(e.bytes.subarray(0, 100)),
    };
  const text = describeReply(parsed.reply);
  return { status: 'success', answered: true, detail: `TFTP server answered: ${text}`, evidence: text };
}

function describe(obs: Observation): string[] {
  return obs.protocol?.detail ? [`TFTP read request: ${obs.protocol.detail}`] : [];
}

export const tftpPlugin: ProtocolPlugin = {
  name: 'tftp',
  ports: { udp: [69] },
  query,
  describe,
};
