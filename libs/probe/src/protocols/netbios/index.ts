/**
 * NetBIOS name service (UDP 137), PortQry-style: a node status (NBSTAT) query for `*`; the answer lists
 * the node's registered names with their suffixes and flags, and the adapter's MAC address. Any answer
 * with our transaction id proves the service (LISTENING); silence → FILTERED; ICMP → NOT LISTENING.
 */
import { randomInt } from 'node:crypto';

import type { Observation } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { noReplyResult, udpExchange } from '../common/udp-exchange.js';
import { buildNodeStatusRequest, parseNodeStatus } from './message.js';

export { buildNodeStatusRequest, parseNodeStatus } from './message.js';

type NetbiosResult = ProtocolResult & { answered: boolean };

async function query(ctx: ProtocolContext): Promise<NetbiosResult> {
  const id = randomInt(0, 0x10000);
  const e = await udpExchange({
    ctx,
    packets: [buildNodeStatusRequest(id)],
    // Too short to carry an id, or carrying ours: the answer (valid or not, the parser decides).
    isAnswer: (msg) => msg.length < 2 || msg.readUInt16BE(0) === id,
  });
  if (e.kind !== 'reply') return noReplyResult(e, 'NetBIOS');
  const parsed = parseNodeStatus(e.bytes, id);
  if (!parsed.ok)
    return parsed.negative
      ? { status: 'application-error', answered: true, detail: `NetBIOS name service: ${parsed.error}` }
      : {
          status: 'protocol-error',
          answered: true,
          detail: `reply is not a node status response: ${parsed.error}`,
        };
  const d = parsed.data;
  const first = d.names.find((n) => n.suffix === '<00>' && n.type === 'unique') ?? d.names[0];
  return {
    status: 'success',
    answered: true,
    detail: `${d.names.length} NetBIOS name(s)${d.mac ? `, MAC ${d.mac}` : ''}`,
    evidence: first
      ? `${first.name}${first.suffix} ${first.type.toUpperCase()}`
      : 'node status with no names',
    data: { netbios: d },
  };
}

/** nbtstat-like lines: the name table, then the MAC address. */
function describe(obs: Observation): string[] {
  const nb = obs.netbios;
  if (!nb) return obs.protocol?.detail ? [`NetBIOS query: ${obs.protocol.detail}`] : [];
  return [
    'NetBIOS node status (NBSTAT) response:',
    ...nb.names.map(
      (n) => `    ${n.name.padEnd(15)} ${n.suffix}  ${n.type.toUpperCase().padEnd(6)}  ${n.flags.join(' ')}`,
    ),
    `MAC address: ${nb.mac ?? '(not reported)'}`,
  ];
}

export const netbiosPlugin: ProtocolPlugin = {
  name: 'netbios',
  ports: { udp: [137] },
  query,
  describe,
};
