/**
 * DNS query building and reply parsing on dns-packet. Parsing never throws: dns-packet throws on bad
 * input (and guards name-compression loops), so every decode is wrapped, and a reply only counts as
 * ours when its id matches, it is a response, and any question it echoes is ours.
 */
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import type { DnsData } from '@fleetqry/contracts';

import { printableText } from '../common/printable.js';

export interface DnsQuestion {
  name: string;
  type: 'NS' | 'A';
}

/** Root/NS by default: any server answers it somehow (referral, REFUSED, ...), which is all we need. */
export function questionFor(name: string | undefined): DnsQuestion {
  const n = (name ?? '.').trim();
  return n === '' || n === '.' ? { name: '.', type: 'NS' } : { name: n.replace(/\.$/, ''), type: 'A' };
}

/** dns-packet does not check label lengths (it would silently corrupt the packet), so we do. */
export function validateQueryName(name: string): string | undefined {
  if (name === '.') return undefined;
  if (name.length > 253) return 'DNS query name is longer than 253 characters';
  // Hostname-ish names plus `_` (SRV-style labels); no spaces, controls or non-ASCII.
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(name))
    return 'DNS query name has an empty label or a character outside [A-Za-z0-9_-.]';
  if (name.split('.').some((l) => l.length > 63))
    return 'DNS query name has a label longer than 63 characters';
  return undefined;
}

export function buildQuery(id: number, q: DnsQuestion): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: q.type, name: q.name, class: 'IN' }],
  });
}

/** TCP framing (RFC 1035 4.2.2): a two-byte big-endian length before the message. */
export function frame(packet: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(packet.length);
  return Buffer.concat([len, packet]);
}

const FLAG_NAMES: Array<[keyof DecodedPacket, string]> = [
  ['flag_qr', 'qr'],
  ['flag_aa', 'aa'],
  ['flag_tc', 'tc'],
  ['flag_rd', 'rd'],
  ['flag_ra', 'ra'],
  ['flag_ad', 'ad'],
  ['flag_cd', 'cd'],
];
const MAX_ANSWERS = 32;
const MAX_DATA_CHARS = 300;

function dataText(data: unknown): string {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (Buffer.isBuffer(data)) text = data.toString('hex');
  else if (Array.isArray(data))
    text = data.map((d) => (Buffer.isBuffer(d) ? d.toString('utf8') : String(d))).join(' ');
  else text = JSON.stringify(data, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)) ?? '';
  return printableText(text, MAX_DATA_CHARS);
}

export type ParseResult =
  | { ok: true; data: DnsData }
  | {
      ok: false;
      error: string;
      /** The id matched: this was an answer to us, just not a valid one. */ ours: boolean;
    };

export function parseReply(buf: Buffer, id: number, q: DnsQuestion, transport: 'udp' | 'tcp'): ParseResult {
  const ours = buf.length >= 2 && buf.readUInt16BE(0) === id;
  if (buf.length < 12)
    return { ok: false, ours, error: `reply of ${buf.length} bytes is shorter than a DNS header` };
  if (!ours) return { ok: false, ours, error: 'reply id does not match the query' };
  let p: DecodedPacket & { rcode?: string };
  try {
    p = dnsPacket.decode(buf);
  } catch (err) {
    return {
      ok: false,
      ours,
      error: `reply does not parse as DNS: ${err instanceof Error ? err.message : 'malformed'}`,
    };
  }
  if (!p.flag_qr) return { ok: false, ours, error: 'reply is a query, not a response' };
  const echoed = p.questions?.[0];
  if (echoed && (echoed.name.toLowerCase() !== q.name.toLowerCase() || echoed.type !== q.type))
    return { ok: false, ours, error: 'reply answers a different question' };
  const answers = (p.answers ?? []).slice(0, MAX_ANSWERS).map((a) => ({
    name: a.name,
    type: String(a.type),
    data: 'data' in a ? dataText(a.data) : '',
  }));
  return {
    ok: true,
    data: {
      transport,
      rcode: p.rcode ?? 'NOERROR',
      flags: FLAG_NAMES.filter(([k]) => p[k] === true).map(([, n]) => n),
      answers,
      question: { name: q.name, type: q.type },
    },
  };
}
