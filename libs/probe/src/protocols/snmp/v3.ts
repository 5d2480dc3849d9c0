/**
 * SNMPv3 engine discovery without credentials (RFC 3414 §4, what nmap's snmp-info does): a GetRequest
 * with an empty user and engine id, flags `reportable`, USM. An agent answers with a Report
 * (usmStatsUnknownEngineIDs) whose security parameters carry its engine id, boots and time. Decoding
 * treats every byte as hostile, like message.ts: lengths checked against the input, engine id ≤ 64
 * bytes, failures returned as values.
 */
import asn1 from 'asn1-ber';
import type { SnmpEngine } from '@fleetqry/contracts';

import { printableText } from '../common/printable.js';
import { DecodeError, decodeSafely, enter, integer, octets, type Reader, tagHex } from './ber-read.js';

const { Ber } = asn1;

const TAG = {
  integer: 0x02,
  octetString: 0x04,
  sequence: 0x30,
  getRequest: 0xa0,
  response: 0xa2,
  report: 0xa8,
} as const;
const USM = 3;
const MAX_ENGINE_ID_BYTES = 64;
const MAX_MESSAGE_BYTES = 65_507;

export interface DiscoveryRequest {
  msgId: number;
  requestId: number;
}

export interface V3Report {
  msgId: number;
  engineId: Buffer;
  boots: number;
  time: number;
}

export type V3Decode = { ok: true; report: V3Report } | { ok: false; error: string };

export function encodeDiscoveryRequest(req: DiscoveryRequest): Buffer {
  const usm = new Ber.Writer();
  usm.startSequence(TAG.sequence);
  usm.writeBuffer(Buffer.alloc(0), TAG.octetString); // msgAuthoritativeEngineID
  usm.writeInt(0); // boots
  usm.writeInt(0); // time
  usm.writeBuffer(Buffer.alloc(0), TAG.octetString); // user name
  usm.writeBuffer(Buffer.alloc(0), TAG.octetString); // auth parameters
  usm.writeBuffer(Buffer.alloc(0), TAG.octetString); // priv parameters
  usm.endSequence();

  const w = new Ber.Writer();
  w.startSequence(TAG.sequence);
  w.writeInt(3);
  w.startSequence(TAG.sequence);
  w.writeInt(req.msgId);
  w.writeInt(MAX_MESSAGE_BYTES);
  w.writeBuffer(Buffer.from([0x04]), TAG.octetString); // reportable, noAuthNoPriv
  w.writeInt(USM);
  w.endSequence();
  w.writeBuffer(usm.buffer, TAG.octetString);
  w.startSequence(TAG.sequence); // ScopedPDU
  w.writeBuffer(Buffer.alloc(0), TAG.octetString); // contextEngineID
  w.writeBuffer(Buffer.alloc(0), TAG.octetString); // contextName
  w.startSequence(TAG.getRequest);
  w.writeInt(req.requestId);
  w.writeInt(0);
  w.writeInt(0);
  w.startSequence(TAG.sequence);
  w.endSequence();
  w.endSequence();
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

/** Whether a datagram claims SNMP version 3 (cheap look at the first bytes; no full decode). */
export function looksLikeV3(buf: Buffer): boolean {
  // SEQUENCE, a short or long length, then INTEGER 1 byte = 3.
  if (buf.length < 5 || buf[0] !== TAG.sequence) return false;
  const lenBytes = buf[1]! & 0x80 ? 1 + (buf[1]! & 0x7f) : 1;
  const at = 1 + lenBytes;
  return buf[at] === TAG.integer && buf[at + 1] === 1 && buf[at + 2] === 3;
}

function decode(r: Reader, buf: Buffer): V3Report {
  const end = enter(r, TAG.sequence, 'message');
  if (end !== buf.length)
    throw new DecodeError(`message length ${end} does not match the datagram (${buf.length})`);
  if (integer(r, 'version') !== 3) throw new DecodeError('not SNMPv3');
  const globalEnd = enter(r, TAG.sequence, 'msgGlobalData');
  const msgId = integer(r, 'msgID', 0);
  integer(r, 'msgMaxSize', 0);
  octets(r, 'msgFlags');
  if (integer(r, 'msgSecurityModel') !== USM) throw new DecodeError('security model is not USM');
  if (r.offset !== globalEnd) throw new DecodeError('msgGlobalData has trailing bytes');
  const usm = new Ber.Reader(octets(r, 'msgSecurityParameters'));
  enter(usm, TAG.sequence, 'UsmSecurityParameters');
  const engineId = octets(usm, 'msgAuthoritativeEngineID');
  if (engineId.length === 0 || engineId.length > MAX_ENGINE_ID_BYTES)
    throw new DecodeError(`engine id of ${engineId.length} bytes`);
  const boots = integer(usm, 'msgAuthoritativeEngineBoots', 0);
  const time = integer(usm, 'msgAuthoritativeEngineTime', 0);
  // The scoped PDU of a discovery Report is plaintext; check it is a Report (or a Response).
  enter(r, TAG.sequence, 'ScopedPDU');
  octets(r, 'contextEngineID');
  octets(r, 'contextName');
  const pdu = r.peek();
  if (pdu !== TAG.report && pdu !== TAG.response)
    throw new DecodeError(pdu === null ? 'truncated before PDU' : `PDU type ${tagHex(pdu)} is not a Report`);
  return { msgId, engineId, boots, time };
}

/** Decodes an SNMPv3 Report carrying the agent's engine parameters. Never throws. */
export function decodeV3Report(buf: Buffer): V3Decode {
  const r = decodeSafely(buf, MAX_MESSAGE_BYTES, decode);
  return r.ok ? { ok: true, report: r.value } : r;
}

const hex = (b: Buffer): string => b.toString('hex');

const FORMATS: Record<number, string> = { 1: 'ipv4', 2: 'ipv6', 3: 'mac', 4: 'text', 5: 'octets' };

/** RFC 3411 SnmpEngineID → enterprise, format, decoded data. */
export function describeEngineId(
  id: Buffer,
): Pick<SnmpEngine, 'engineId' | 'enterprise' | 'format' | 'data'> {
  const engineId = hex(id);
  if (id.length < 5) return { engineId };
  const enterprise = id.readUInt32BE(0) & 0x7fff_ffff;
  if ((id[0]! & 0x80) === 0)
    // Pre-RFC 3411 (RFC 1910/2271) layout: enterprise then 8 enterprise-specific bytes.
    return { engineId, enterprise, format: 'legacy', data: hex(id.subarray(4)) };
  const formatOctet = id[4]!;
  const rest = id.subarray(5);
  let data = hex(rest);
  let format = FORMATS[formatOctet];
  if (formatOctet === 1 && rest.length === 4) data = [...rest].join('.');
  else if (formatOctet === 2 && rest.length === 16)
    data = Array.from({ length: 8 }, (_, i) => rest.readUInt16BE(i * 2).toString(16)).join(':');
  else if (formatOctet === 3 && rest.length === 6)
    data = [...rest].map((b) => b.toString(16).padStart(2, '0')).join(':');
  else if (formatOctet === 4) data = printableText(rest, 32); // an engine id is at most 32 octets (RFC 3411)
  if (format === undefined)
    format =
      enterprise === 8072 && formatOctet === 128
        ? 'net-snmp-random'
        : formatOctet >= 128
          ? `enterprise-specific (${formatOctet})`
          : `reserved (${formatOctet})`;
  return { engineId, enterprise, format, data };
}

export function toEngineData(report: V3Report): SnmpEngine {
  return { ...describeEngineId(report.engineId), boots: report.boots, time: report.time };
}
