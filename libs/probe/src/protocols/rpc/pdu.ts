/**
 * Connection-oriented DCE/RPC PDUs (DCE 1.1 ch. 12, MS-RPCE 2.2.2): the common header, bind,
 * bind_ack / bind_nak, request, response and fault. Encoders produce little-endian NDR; decoders honour
 * the sender's data representation. Decoders never throw: they return `{ ok: false, error }`.
 */
import { complete, type Framer, invalid, MORE } from '../common/framing.js';
import { NdrError, NdrReader, printable, uuidToBytesLE } from './ndr.js';

const PTYPE = {
  request: 0,
  response: 2,
  fault: 3,
  bind: 11,
  bindAck: 12,
  bindNak: 13,
} as const;

const PFC_FIRST_FRAG = 0x01;
const PFC_LAST_FRAG = 0x02;

export const HEADER_LENGTH = 16;
/** Little-endian integers, ASCII characters, IEEE floats. */
const DREP_LE = Buffer.from([0x10, 0x00, 0x00, 0x00]);

export interface SyntaxId {
  uuid: string;
  major: number;
  minor: number;
}

/** The endpoint mapper interface (DCE 1.1 Appendix O / MS-RPCE 2.2.1.2.1), version 3.0. */
export const EPM_INTERFACE: SyntaxId = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', major: 3, minor: 0 };
/** NDR transfer syntax, version 2.0. */
export const NDR_SYNTAX: SyntaxId = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', major: 2, minor: 0 };

export interface PduHeader {
  ptype: number;
  flags: number;
  littleEndian: boolean;
  fragLength: number;
  authLength: number;
  callId: number;
}

function header(ptype: number, flags: number, fragLength: number, callId: number): Buffer {
  const h = Buffer.alloc(HEADER_LENGTH);
  h[0] = 5; // rpc_vers
  h[1] = 0; // rpc_vers_minor
  h[2] = ptype;
  h[3] = flags;
  DREP_LE.copy(h, 4);
  h.writeUInt16LE(fragLength, 8);
  h.writeUInt16LE(0, 10); // auth_length
  h.writeUInt32LE(callId, 12);
  return h;
}

function syntaxBytes(s: SyntaxId): Buffer {
  const b = Buffer.alloc(20);
  uuidToBytesLE(s.uuid).copy(b, 0);
  b.writeUInt16LE(s.major, 16);
  b.writeUInt16LE(s.minor, 18);
  return b;
}

export interface BindOptions {
  callId: number;
  maxXmitFrag: number;
  maxRecvFrag: number;
  abstract: SyntaxId;
  transfer: SyntaxId;
}

/** A bind with one presentation context (id 0): the interface over NDR. */
export function encodeBind(o: BindOptions): Buffer {
  const body = Buffer.alloc(12);
  body.writeUInt16LE(o.maxXmitFrag, 0);
  body.writeUInt16LE(o.maxRecvFrag, 2);
  body.writeUInt32LE(0, 4); // assoc_group_id: a new group
  body[8] = 1; // n_context_elem
  const ctx = Buffer.alloc(4);
  ctx.writeUInt16LE(0, 0); // p_cont_id
  ctx[2] = 1; // n_transfer_syn
  const rest = Buffer.concat([body, ctx, syntaxBytes(o.abstract), syntaxBytes(o.transfer)]);
  return Buffer.concat([
    header(PTYPE.bind, PFC_FIRST_FRAG | PFC_LAST_FRAG, HEADER_LENGTH + rest.length, o.callId),
    rest,
  ]);
}

/** One request PDU (the stubs we send are small: never fragmented). */
export function encodeRequest(callId: number, opnum: number, stub: Buffer): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32LE(stub.length, 0); // alloc_hint
  body.writeUInt16LE(0, 4); // p_cont_id
  body.writeUInt16LE(opnum, 6);
  return Buffer.concat([
    header(PTYPE.request, PFC_FIRST_FRAG | PFC_LAST_FRAG, HEADER_LENGTH + 8 + stub.length, callId),
    body,
    stub,
  ]);
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

function fail<T>(error: string): Decoded<T> {
  return { ok: false, error };
}

/** Checks the fixed part of a PDU header; `buf` must hold at least the 16 header bytes. */
export function decodeHeader(buf: Buffer): Decoded<PduHeader> {
  if (buf.length < HEADER_LENGTH) return fail(`PDU shorter than its ${HEADER_LENGTH}-byte header`);
  if (buf[0] !== 5 || buf[1] !== 0) return fail(`not DCE/RPC 5.0 (version ${buf[0]}.${buf[1]})`);
  const littleEndian = (buf[4]! & 0xf0) === 0x10;
  if ((buf[4]! & 0xf0) !== 0x00 && !littleEndian) return fail('unknown data representation');
  const fragLength = littleEndian ? buf.readUInt16LE(8) : buf.readUInt16BE(8);
  const authLength = littleEndian ? buf.readUInt16LE(10) : buf.readUInt16BE(10);
  const callId = littleEndian ? buf.readUInt32LE(12) : buf.readUInt32BE(12);
  if (fragLength < HEADER_LENGTH) return fail(`fragment length ${fragLength} shorter than the header`);
  if (fragLength > buf.length)
    return fail(`fragment length ${fragLength} beyond the ${buf.length} bytes read`);
  // An auth trailer (8-byte auth_verifier header + auth_length) must fit after the header.
  if (authLength > 0 && HEADER_LENGTH + 8 + authLength > fragLength)
    return fail(`auth length ${authLength} does not fit in a ${fragLength}-byte fragment`);
  return {
    ok: true,
    value: { ptype: buf[2]!, flags: buf[3]!, littleEndian, fragLength, authLength, callId },
  };
}

/** Where one PDU ends in a TCP stream: the header's fragment length, checked as soon as it arrives. */
export const pduFramer: Framer = (buf) => {
  if (buf[0] !== undefined && buf[0] !== 5) return invalid('reply is not a DCE/RPC PDU (version byte)');
  if (buf[1] !== undefined && buf[1] !== 0) return invalid('reply is not a DCE/RPC 5.0 PDU');
  if (buf.length < 10) return MORE;
  const le = (buf[4]! & 0xf0) === 0x10;
  const fragLength = le ? buf.readUInt16LE(8) : buf.readUInt16BE(8);
  if (fragLength < HEADER_LENGTH) return invalid(`fragment length ${fragLength} shorter than the header`);
  return buf.length >= fragLength ? complete(fragLength) : MORE;
};

interface BindAck {
  maxXmitFrag: number;
  maxRecvFrag: number;
  secondaryAddress: string;
  /** result per presentation context: 0 acceptance, 1 user rejection, 2 provider rejection, 3 negotiate ack */
  results: Array<{ result: number; reason: number }>;
}

export type BindReply =
  { kind: 'ack'; ack: BindAck } | { kind: 'nak'; reason: number } | { kind: 'fault'; status: number };

/** bind_ack, bind_nak (or a fault) for our bind. */
export function decodeBindReply(pdu: Buffer): Decoded<BindReply> {
  const h = decodeHeader(pdu);
  if (!h.ok) return h;
  const { ptype, littleEndian, fragLength } = h.value;
  try {
    const r = new NdrReader(pdu.subarray(0, fragLength), littleEndian, 0, HEADER_LENGTH);
    if (ptype === PTYPE.bindNak) return { ok: true, value: { kind: 'nak', reason: r.u16('reject reason') } };
    if (ptype === PTYPE.fault) {
      r.bytes(8, 'fault body');
      return { ok: true, value: { kind: 'fault', status: r.u32('fault status') } };
    }
    if (ptype !== PTYPE.bindAck) return fail(`expected bind_ack, got PDU type ${ptype}`);
    const maxXmitFrag = r.u16();
    const maxRecvFrag = r.u16();
    r.u32('assoc_group_id');
    const addrLen = r.u16('sec_addr length');
    const secondaryAddress = printable(r.bytes(addrLen, 'sec_addr'), 64);
    r.align(4);
    const n = r.u8('n_results');
    r.bytes(3, 'reserved');
    const results: BindAck['results'] = [];
    for (let i = 0; i < n; i++) {
      const result = r.u16('result');
      const reason = r.u16('reason');
      r.bytes(20, 'transfer syntax');
      results.push({ result, reason });
    }
    return { ok: true, value: { kind: 'ack', ack: { maxXmitFrag, maxRecvFrag, secondaryAddress, results } } };
  } catch (err) {
    return fail(err instanceof NdrError ? `malformed bind reply: ${err.message}` : 'malformed bind reply');
  }
}

export interface ResponseFragment {
  kind: 'response';
  first: boolean;
  last: boolean;
  callId: number;
  littleEndian: boolean;
  /** The stub bytes of this fragment (auth trailer removed). */
  stub: Buffer;
}

export type CallReply = ResponseFragment | { kind: 'fault'; callId: number; status: number };

/** One response (or fault) PDU of a call. */
export function decodeCallReply(pdu: Buffer): Decoded<CallReply> {
  const h = decodeHeader(pdu);
  if (!h.ok) return h;
  const { ptype, flags, littleEndian, fragLength, authLength, callId } = h.value;
  try {
    // Stub ends before the auth trailer: auth_pad_length is byte 2 of the 8-byte auth_verifier header.
    let end = fragLength;
    if (authLength > 0) {
      const trailer = fragLength - authLength - 8;
      const padLength = pdu[trailer + 2]!;
      end = trailer - padLength;
    }
    const r = new NdrReader(pdu.subarray(0, fragLength), littleEndian, 0, HEADER_LENGTH);
    r.u32('alloc_hint');
    r.u16('p_cont_id');
    r.u8('cancel_count');
    r.u8('reserved');
    if (ptype === PTYPE.fault)
      return { ok: true, value: { kind: 'fault', callId, status: r.u32('fault status') } };
    if (ptype !== PTYPE.response) return fail(`expected a response, got PDU type ${ptype}`);
    if (end < r.offset) return fail('auth trailer overlaps the response header');
    return {
      ok: true,
      value: {
        kind: 'response',
        first: (flags & PFC_FIRST_FRAG) !== 0,
        last: (flags & PFC_LAST_FRAG) !== 0,
        callId,
        littleEndian,
        stub: pdu.subarray(r.offset, end),
      },
    };
  } catch (err) {
    return fail(err instanceof NdrError ? `malformed response: ${err.message}` : 'malformed response');
  }
}

/**
 * Joins the fragments of one call's response (PFC_FIRST … PFC_LAST, same call id, same data
 * representation) with a cap on the joined stub. Feed fragments in order; `done` once the last arrived.
 */
export class FragmentAssembler {
  private parts: Buffer[] = [];
  private size = 0;
  private littleEndian: boolean | undefined;
  done = false;

  constructor(
    private readonly callId: number,
    private readonly maxStubBytes: number,
    private readonly maxFragments: number,
  ) {}

  /** Returns an error string if the fragment does not belong or a cap is exceeded. */
  add(f: ResponseFragment): string | undefined {
    if (this.done) return 'fragment after the last fragment';
    if (f.callId !== this.callId) return `response for call ${f.callId}, expected ${this.callId}`;
    if (this.parts.length === 0 && !f.first) return 'first response fragment lacks PFC_FIRST_FRAG';
    if (this.parts.length > 0 && f.first) return 'PFC_FIRST_FRAG in the middle of a response';
    if (this.littleEndian !== undefined && this.littleEndian !== f.littleEndian)
      return 'data representation changed between fragments';
    if (this.parts.length >= this.maxFragments) return `more than ${this.maxFragments} response fragments`;
    this.size += f.stub.length;
    if (this.size > this.maxStubBytes) return `response stub larger than ${this.maxStubBytes} bytes`;
    this.littleEndian = f.littleEndian;
    this.parts.push(f.stub);
    if (f.last) this.done = true;
    return undefined;
  }

  get stub(): { bytes: Buffer; littleEndian: boolean } {
    return { bytes: Buffer.concat(this.parts), littleEndian: this.littleEndian ?? true };
  }
}
