/**
 * ISAKMP/IKE (RFC 2408/2409 IKEv1, RFC 7296 IKEv2): two proposals a responder answers — an IKEv1
 * Main Mode SA proposal and an IKEv2 IKE_SA_INIT (SA, KE, Nonce) — each with its own random initiator
 * SPI, and a parser for any reply: header, then the payload chain walked with every length checked,
 * collecting payload types, NOTIFY types and vendor ids. Nothing is negotiated further.
 */
import { randomBytes } from 'node:crypto';

const HEADER_BYTES = 28;
const MAX_PAYLOADS = 64;
const MAX_VENDOR_IDS = 8;

type IkeVersion = 'IKEv1' | 'IKEv2';

function header(
  spi: Buffer,
  next: number,
  version: number,
  exchange: number,
  flags: number,
  body: Buffer,
): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  spi.copy(h, 0, 0, 8); // initiator SPI; responder SPI stays zero
  h[16] = next;
  h[17] = version;
  h[18] = exchange;
  h[19] = flags;
  h.writeUInt32BE(0, 20); // message id
  h.writeUInt32BE(HEADER_BYTES + body.length, 24);
  return Buffer.concat([h, body]);
}

function payload(next: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = next;
  h.writeUInt16BE(4 + body.length, 2);
  return Buffer.concat([h, body]);
}

const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
/** IKEv1 TV attribute (type with the AF bit, 16-bit value). */
const tv = (type: number, value: number): Buffer => Buffer.concat([u16(0x8000 | type), u16(value)]);

/** IKEv1 Main Mode message 1: one ISAKMP proposal, AES-128-CBC / SHA1 / PSK / MODP1024 / 8 h. */
export function buildIkev1MainMode(spi: Buffer = randomBytes(8)): Buffer {
  const attributes = Buffer.concat([
    tv(1, 7),
    tv(14, 128),
    tv(2, 2),
    tv(3, 1),
    tv(4, 2),
    tv(11, 1),
    tv(12, 28800),
  ]);
  const transform = payload(0, Buffer.concat([Buffer.from([1, 1, 0, 0]), attributes])); // #1, KEY_IKE
  const proposal = payload(0, Buffer.concat([Buffer.from([1, 1, 0, 1]), transform])); // #1, ISAKMP, no SPI, 1 transform
  const sa = payload(0, Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), proposal])); // DOI IPsec, SIT_IDENTITY_ONLY
  return header(spi, 1 /* SA */, 0x10, 2 /* Identity Protection */, 0, sa);
}

function transformV2(last: boolean, type: number, id: number, attrs: Buffer = Buffer.alloc(0)): Buffer {
  const t = Buffer.alloc(8);
  t[0] = last ? 0 : 3;
  t.writeUInt16BE(8 + attrs.length, 2);
  t[4] = type;
  t.writeUInt16BE(id, 6);
  return Buffer.concat([t, attrs]);
}

/** IKEv2 IKE_SA_INIT: AES-CBC-128 / HMAC-SHA2-256 PRF and integrity / MODP2048, a KE value and a nonce. */
export function buildIkev2SaInit(spi: Buffer = randomBytes(8)): Buffer {
  const transforms = Buffer.concat([
    transformV2(false, 1, 12, tv(14, 128)), // ENCR_AES_CBC, key length 128
    transformV2(false, 2, 5), // PRF_HMAC_SHA2_256
    transformV2(false, 3, 12), // AUTH_HMAC_SHA2_256_128
    transformV2(true, 4, 14), // MODP 2048
  ]);
  const proposalHead = Buffer.alloc(8);
  proposalHead[0] = 0; // last proposal
  proposalHead.writeUInt16BE(8 + transforms.length, 2);
  proposalHead[4] = 1; // proposal #1
  proposalHead[5] = 1; // protocol IKE
  proposalHead[6] = 0; // SPI size
  proposalHead[7] = 4; // transforms
  const sa = payload(34 /* KE */, Buffer.concat([proposalHead, transforms]));
  const keValue = randomBytes(256);
  keValue[0] = 0x7f; // keep the public value below the MODP prime
  const ke = payload(40 /* Nonce */, Buffer.concat([u16(14), u16(0), keValue]));
  const nonce = payload(0, randomBytes(32));
  return header(
    spi,
    33 /* SA */,
    0x20,
    34 /* IKE_SA_INIT */,
    0x08 /* initiator */,
    Buffer.concat([sa, ke, nonce]),
  );
}

const PAYLOAD_NAMES: Record<number, string> = {
  1: 'SA',
  4: 'KE',
  10: 'NONCE',
  11: 'N',
  12: 'D',
  13: 'VID',
  20: 'NAT-D',
  33: 'SA',
  34: 'KE',
  38: 'CERTREQ',
  40: 'NONCE',
  41: 'N',
  42: 'D',
  43: 'VID',
  132: 'FRAG',
};

const NOTIFY_NAMES: Record<number, string> = {
  1: 'UNSUPPORTED_CRITICAL_PAYLOAD',
  4: 'INVALID_IKE_SPI',
  5: 'INVALID_MAJOR_VERSION',
  7: 'INVALID_SYNTAX',
  9: 'INVALID_MESSAGE_ID',
  14: 'NO_PROPOSAL_CHOSEN',
  16: 'PAYLOAD_MALFORMED',
  17: 'INVALID_KE_PAYLOAD',
  24: 'AUTHENTICATION_FAILED',
  16388: 'NAT_DETECTION_SOURCE_IP',
  16389: 'NAT_DETECTION_DESTINATION_IP',
  16390: 'COOKIE',
  16404: 'MULTIPLE_AUTH_SUPPORTED',
  16430: 'IKEV2_FRAGMENTATION_SUPPORTED',
  16431: 'SIGNATURE_HASH_ALGORITHMS',
};

const EXCHANGES: Record<number, string> = {
  2: 'Main Mode',
  4: 'Aggressive Mode',
  5: 'Informational',
  34: 'IKE_SA_INIT',
  37: 'INFORMATIONAL',
};

export interface IkeReply {
  version: IkeVersion;
  exchange: string;
  /** Payload names in order (`SA`, `KE`, `N`, `VID`…). */
  payloads: string[];
  notifies: string[];
  vendorIds: string[];
}

export type IkeParse = { ok: true; reply: IkeReply } | { ok: false; error: string };

function parse(buf: Buffer): IkeReply {
  if (buf.length < HEADER_BYTES)
    throw new Error(`datagram of ${buf.length} bytes is shorter than an ISAKMP header`);
  const major = buf[17]! >> 4;
  if (major !== 1 && major !== 2) throw new Error(`major version ${major}`);
  const version: IkeVersion = major === 1 ? 'IKEv1' : 'IKEv2';
  const exchangeType = buf[18]!;
  const length = buf.readUInt32BE(24);
  if (length < HEADER_BYTES || length > buf.length)
    throw new Error(`length ${length} does not fit the ${buf.length}-byte datagram`);
  const reply: IkeReply = {
    version,
    exchange: EXCHANGES[exchangeType] ?? `exchange ${exchangeType}`,
    payloads: [],
    notifies: [],
    vendorIds: [],
  };
  // Payloads after the header are encrypted in v1 when the E flag is set; then the chain is opaque.
  if (major === 1 && buf[19]! & 0x01) return reply;
  let next = buf[16]!;
  let offset = HEADER_BYTES;
  for (let n = 0; next !== 0; n++) {
    if (n >= MAX_PAYLOADS) throw new Error(`more than ${MAX_PAYLOADS} payloads`);
    if (next === 46) {
      reply.payloads.push('SK'); // IKEv2 encrypted payload: the rest is opaque
      return reply;
    }
    if (offset + 4 > length) throw new Error('truncated payload header');
    const plen = buf.readUInt16BE(offset + 2);
    if (plen < 4 || offset + plen > length) throw new Error(`payload length ${plen} out of bounds`);
    const body = buf.subarray(offset + 4, offset + plen);
    reply.payloads.push(PAYLOAD_NAMES[next] ?? `payload ${next}`);
    if (next === 11 && body.length >= 8) {
      const type = body.readUInt16BE(6); // v1: DOI(4) protocol(1) SPI size(1) type(2)
      reply.notifies.push(NOTIFY_NAMES[type] ?? `notify ${type}`);
    } else if (next === 41 && body.length >= 4) {
      const type = body.readUInt16BE(2); // v2: protocol(1) SPI size(1) type(2)
      reply.notifies.push(NOTIFY_NAMES[type] ?? `notify ${type}`);
    } else if ((next === 13 || next === 43) && reply.vendorIds.length < MAX_VENDOR_IDS) {
      reply.vendorIds.push(body.subarray(0, 32).toString('hex'));
    }
    next = buf[offset]!;
    offset += plen;
  }
  return reply;
}

export function parseIkeReply(buf: Buffer): IkeParse {
  try {
    return { ok: true, reply: parse(buf) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : 'malformed message' };
  }
}

export function summary(r: IkeReply): string {
  const parts = [`${r.version} ${r.exchange} response`];
  if (r.payloads.length) parts.push(`payloads ${r.payloads.join(',')}`);
  if (r.notifies.length) parts.push(`notify ${r.notifies.join(',')}`);
  if (r.vendorIds.length) parts.push(`${r.vendorIds.length} vendor id(s)`);
  return parts.join(', ');
}
