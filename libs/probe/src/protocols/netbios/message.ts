/**
 * NetBIOS name service (RFC 1001/1002) node status request for `*` (NBSTAT, what `nbtstat -A` and
 * PortQry send) and its response. Every length is checked against the datagram; the name count is a
 * byte (≤ 255) and each entry must fit in RDLENGTH, so output is bounded by input.
 */
import type { NetbiosData } from '@fleetqry/contracts';

import { printableText } from '../common/printable.js';

const NBSTAT_TYPE = 0x0021;
const CLASS_IN = 0x0001;
const HEADER_BYTES = 12;
const NAME_ENTRY_BYTES = 18;
/** RFC 1002 names are 1 + 32 + 1 bytes; a label walk longer than this is not a NetBIOS name. */
const MAX_NAME_BYTES = 255;

/** First-level encoding (RFC 1001 §14.1) of a 16-byte NetBIOS name: each nibble + 'A'. */
function encodeNetbiosName(name16: Buffer): Buffer {
  const out = Buffer.alloc(34);
  out[0] = 0x20;
  for (let i = 0; i < 16; i++) {
    out[1 + 2 * i] = 0x41 + (name16[i]! >> 4);
    out[2 + 2 * i] = 0x41 + (name16[i]! & 0x0f);
  }
  out[33] = 0;
  return out;
}

/** NBSTAT query for the wildcard name `*` (0x2A then 15 NULs), no recursion, unicast. */
export function buildNodeStatusRequest(id: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0000, 2); // opcode query, B=0, RD=0
  header.writeUInt16BE(1, 4); // QDCOUNT
  const star = Buffer.alloc(16);
  star[0] = 0x2a;
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(NBSTAT_TYPE, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, encodeNetbiosName(star), tail]);
}

export type NbstatParse =
  | { ok: true; data: NetbiosData }
  /** `negative`: a well-formed error response (the service answered, but refused). */
  | { ok: false; error: string; negative?: boolean };

class NegativeResponse extends Error {}

const NODE_TYPES = ['b-node', 'p-node', 'm-node', 'h-node'] as const;

function flagsOf(word: number): { type: 'unique' | 'group'; flags: string[] } {
  const flags: string[] = [];
  if (word & 0x0400) flags.push('active');
  if (word & 0x0200) flags.push('permanent');
  if (word & 0x0800) flags.push('conflict');
  if (word & 0x1000) flags.push('deregistering');
  flags.push(NODE_TYPES[(word >> 13) & 0x03]!);
  return { type: word & 0x8000 ? 'group' : 'unique', flags };
}

/** Skips a (possibly compressed) domain-style name; returns the offset after it. */
function skipName(buf: Buffer, at: number): number {
  let offset = at;
  for (let walked = 0; walked <= MAX_NAME_BYTES;) {
    if (offset >= buf.length) throw new Error('truncated inside the answer name');
    const len = buf[offset]!;
    if ((len & 0xc0) === 0xc0) {
      if (offset + 2 > buf.length) throw new Error('truncated name pointer');
      return offset + 2; // a pointer ends the name; we never follow it (the name is not needed)
    }
    if (len & 0xc0) throw new Error(`unsupported label type 0x${len.toString(16)}`);
    offset += 1 + len;
    walked += 1 + len;
    if (len === 0) return offset;
  }
  throw new Error('answer name is too long');
}

function formatMac(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('-');
}

function parse(buf: Buffer, id: number): NetbiosData {
  if (buf.length < HEADER_BYTES) throw new Error(`datagram of ${buf.length} bytes is shorter than a header`);
  if (buf.readUInt16BE(0) !== (id & 0xffff)) throw new Error('transaction id does not match');
  const flags = buf.readUInt16BE(2);
  if ((flags & 0x8000) === 0) throw new Error('datagram is a request, not a response');
  const rcode = flags & 0x000f;
  if (rcode !== 0) throw new NegativeResponse(`negative response, rcode ${rcode}`);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  if (an < 1) throw new Error('response has no answer record');
  let offset = HEADER_BYTES;
  // A node status response carries no question, but tolerate echoed ones (bounded by the datagram).
  for (let i = 0; i < qd; i++) {
    offset = skipName(buf, offset) + 4;
    if (offset > buf.length) throw new Error('truncated question');
  }
  offset = skipName(buf, offset);
  if (offset + 10 > buf.length) throw new Error('truncated answer record header');
  const type = buf.readUInt16BE(offset);
  if (type !== NBSTAT_TYPE) throw new Error(`answer type 0x${type.toString(16)} is not NBSTAT`);
  const rdLength = buf.readUInt16BE(offset + 8);
  offset += 10;
  if (offset + rdLength > buf.length)
    throw new Error(`RDLENGTH ${rdLength} exceeds the ${buf.length - offset} bytes left`);
  const rdata = buf.subarray(offset, offset + rdLength);
  if (rdata.length < 1) throw new Error('empty node status');
  const count = rdata[0]!;
  if (1 + count * NAME_ENTRY_BYTES > rdata.length)
    throw new Error(`${count} names do not fit in ${rdata.length} bytes`);
  const names: NetbiosData['names'] = [];
  for (let i = 0; i < count; i++) {
    const at = 1 + i * NAME_ENTRY_BYTES;
    const raw = rdata.subarray(at, at + 15);
    const { type: kind, flags: nameFlags } = flagsOf(rdata.readUInt16BE(at + 16));
    names.push({
      name: printableText(raw.toString('latin1').replace(/[\s\0]+$/, ''), 15),
      suffix: `<${rdata[at + 15]!.toString(16).toUpperCase().padStart(2, '0')}>`,
      type: kind,
      flags: nameFlags,
    });
  }
  const stats = rdata.subarray(1 + count * NAME_ENTRY_BYTES);
  return stats.length >= 6 ? { names, mac: formatMac(stats.subarray(0, 6)) } : { names };
}

/** Parses a node status response to transaction `id`. Never throws. */
export function parseNodeStatus(buf: Buffer, id: number): NbstatParse {
  try {
    return { ok: true, data: parse(buf, id) };
  } catch (err) {
    if (err instanceof NegativeResponse) return { ok: false, error: err.message, negative: true };
    return { ok: false, error: err instanceof Error ? err.message : 'malformed response' };
  }
}
