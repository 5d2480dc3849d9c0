/**
 * L2TPv2 control messages (RFC 2661): the SCCRQ that opens a control connection, the StopCCN that
 * closes it, and a parser for whatever comes back (SCCRP, StopCCN, a ZLB acknowledgement). AVPs are
 * walked with every length checked against the message; hidden AVP values are not decoded.
 */
import { printableText } from '../common/printable.js';

const L2TP_CONTROL_FLAGS = 0xc802; // T=1 L=1 S=1, version 2
const HEADER_BYTES = 12;
const MAX_AVPS = 128;
const MAX_TEXT_CHARS = 128;

const MESSAGE_TYPES: Record<number, string> = {
  1: 'SCCRQ',
  2: 'SCCRP',
  3: 'SCCCN',
  4: 'StopCCN',
  6: 'HELLO',
  7: 'OCRQ',
  10: 'ICRQ',
  12: 'ICCN',
  14: 'CDN',
};

const AVP = {
  messageType: 0,
  resultCode: 1,
  protocolVersion: 2,
  framingCapabilities: 3,
  firmwareRevision: 6,
  hostName: 7,
  vendorName: 8,
  assignedTunnelId: 9,
} as const;

function avp(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt16BE(0x8000 | (6 + value.length), 0); // M bit, length
  head.writeUInt16BE(0, 2); // IETF vendor
  head.writeUInt16BE(type, 4);
  return Buffer.concat([head, value]);
}
const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);

function message(tunnelId: number, ns: number, nr: number, avps: Buffer[]): Buffer {
  const body = Buffer.concat(avps);
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt16BE(L2TP_CONTROL_FLAGS, 0);
  head.writeUInt16BE(HEADER_BYTES + body.length, 2);
  head.writeUInt16BE(tunnelId, 4);
  head.writeUInt16BE(0, 6); // session id
  head.writeUInt16BE(ns, 8);
  head.writeUInt16BE(nr, 10);
  return Buffer.concat([head, body]);
}

/** SCCRQ from a fresh tunnel (`ourTunnelId` ≠ 0 is what the peer will address its answer to). */
export function buildSccrq(ourTunnelId: number, hostName = 'fleetqry'): Buffer {
  return message(0, 0, 0, [
    avp(AVP.messageType, u16(1)),
    avp(AVP.protocolVersion, Buffer.from([1, 0])),
    avp(AVP.framingCapabilities, Buffer.from([0, 0, 0, 3])),
    avp(AVP.hostName, Buffer.from(hostName, 'ascii')),
    avp(AVP.assignedTunnelId, u16(ourTunnelId)),
  ]);
}

/** StopCCN closing the tunnel the peer assigned, result 1 ("general request to clear"). */
export function buildStopCcn(peerTunnelId: number, ourTunnelId: number): Buffer {
  return message(peerTunnelId, 1, 1, [
    avp(AVP.messageType, u16(4)),
    avp(AVP.assignedTunnelId, u16(ourTunnelId)),
    avp(AVP.resultCode, u16(1)),
  ]);
}

export interface L2tpReply {
  /** Tunnel id in the header (ours, if the reply is to us). */
  tunnelId: number;
  /** `SCCRP`, `StopCCN`, …, or `ZLB` (an acknowledgement without AVPs). */
  messageType: string;
  hostName?: string;
  vendorName?: string;
  firmwareRevision?: number;
  protocolVersion?: string;
  peerTunnelId?: number;
  resultCode?: number;
}

export type L2tpParse = { ok: true; reply: L2tpReply } | { ok: false; error: string };

const text = (b: Buffer): string => printableText(b, MAX_TEXT_CHARS);

function parse(buf: Buffer): L2tpReply {
  if (buf.length < HEADER_BYTES)
    throw new Error(`datagram of ${buf.length} bytes is shorter than a control header`);
  const flags = buf.readUInt16BE(0);
  if ((flags & 0x000f) !== 2) throw new Error(`version ${flags & 0x000f} is not L2TPv2`);
  if ((flags & 0xc800) !== 0xc800) throw new Error('not a control message with length and sequence fields');
  const length = buf.readUInt16BE(2);
  if (length < HEADER_BYTES || length > buf.length)
    throw new Error(`length ${length} does not fit the ${buf.length}-byte datagram`);
  const reply: L2tpReply = { tunnelId: buf.readUInt16BE(4), messageType: 'ZLB' };
  let offset = HEADER_BYTES;
  for (let n = 0; offset < length; n++) {
    if (n >= MAX_AVPS) throw new Error(`more than ${MAX_AVPS} AVPs`);
    if (offset + 6 > length) throw new Error('truncated AVP header');
    const word = buf.readUInt16BE(offset);
    const avpLength = word & 0x03ff;
    if (avpLength < 6 || offset + avpLength > length)
      throw new Error(`AVP length ${avpLength} out of bounds`);
    const vendor = buf.readUInt16BE(offset + 2);
    const type = buf.readUInt16BE(offset + 4);
    const value = buf.subarray(offset + 6, offset + avpLength);
    offset += avpLength;
    if (n === 0 && (vendor !== 0 || type !== AVP.messageType))
      throw new Error('first AVP is not Message Type');
    if (vendor !== 0 || word & 0x4000) continue; // vendor-specific or hidden: not decoded
    if (type === AVP.messageType && value.length === 2)
      reply.messageType = MESSAGE_TYPES[value.readUInt16BE(0)] ?? `type ${value.readUInt16BE(0)}`;
    else if (type === AVP.hostName) reply.hostName = text(value);
    else if (type === AVP.vendorName) reply.vendorName = text(value);
    else if (type === AVP.firmwareRevision && value.length === 2)
      reply.firmwareRevision = value.readUInt16BE(0);
    else if (type === AVP.protocolVersion && value.length === 2)
      reply.protocolVersion = `${value[0]}.${value[1]}`;
    else if (type === AVP.assignedTunnelId && value.length === 2) reply.peerTunnelId = value.readUInt16BE(0);
    else if (type === AVP.resultCode && value.length >= 2) reply.resultCode = value.readUInt16BE(0);
  }
  return reply;
}

export function parseControl(buf: Buffer): L2tpParse {
  try {
    return { ok: true, reply: parse(buf) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : 'malformed message' };
  }
}

export function summary(r: L2tpReply): string {
  const parts = [`L2TP ${r.messageType}`];
  if (r.hostName) parts.push(`host name ${r.hostName}`);
  if (r.vendorName) parts.push(`vendor ${r.vendorName}`);
  if (r.firmwareRevision !== undefined)
    parts.push(`firmware 0x${r.firmwareRevision.toString(16).padStart(4, '0')}`);
  if (r.resultCode !== undefined) parts.push(`result ${r.resultCode}`);
  return parts.join(', ');
}
