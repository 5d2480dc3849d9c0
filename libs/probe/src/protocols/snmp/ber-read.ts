/**
 * Hostile-input BER reading on asn1-ber, shared by the v1/v2c and the v3 decoders: every length is
 * checked against what is left, and every failure is a DecodeError that `decodeSafely` turns into a
 * value. Messages name the field and tags, never payload bytes.
 */
import asn1, { type BerReader } from 'asn1-ber';

const { Ber } = asn1;

export type Reader = BerReader;

const BER = { integer: 0x02, octetString: 0x04, sequence: 0x30 } as const;

/** Thrown only while decoding, and turned into `{ ok: false }` by decodeSafely. */
export class DecodeError extends Error {}

export function tagHex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** Enters a constructed TLV with `tag` and returns the offset where it ends, checked against the input. */
export function enter(r: Reader, tag: number, what: string): number {
  const got = r.peek();
  if (got === null) throw new DecodeError(`truncated before ${what}`);
  if (got !== tag) throw new DecodeError(`expected ${what} (tag ${tagHex(tag)}), got tag ${tagHex(got)}`);
  if (r.readSequence(tag) === null) throw new DecodeError(`truncated ${what} length`);
  if (r.length > r.remain)
    throw new DecodeError(`${what} length ${r.length} exceeds the ${r.remain} bytes left`);
  return r.offset + r.length;
}

/** Reads any primitive TLV as raw bytes (asn1-ber's readString accepts an arbitrary tag). */
export function primitive(r: Reader, what: string): { tag: number; bytes: Buffer } {
  const tag = r.peek();
  if (tag === null) throw new DecodeError(`truncated before ${what}`);
  const bytes = r.readString(tag, true);
  if (bytes === null) throw new DecodeError(`truncated ${what}`);
  return { tag, bytes };
}

/** A 32-bit INTEGER, at least `min`. */
export function integer(r: Reader, what: string, min = -0x8000_0000): number {
  const { tag, bytes } = primitive(r, what);
  if (tag !== BER.integer) throw new DecodeError(`expected ${what} as INTEGER, got tag ${tagHex(tag)}`);
  if (bytes.length === 0 || bytes.length > 4) throw new DecodeError(`${what} has ${bytes.length} bytes`);
  const v = bytes.readIntBE(0, bytes.length);
  if (v < min) throw new DecodeError(`${what} is ${v}`);
  return v;
}

export function octets(r: Reader, what: string): Buffer {
  const { tag, bytes } = primitive(r, what);
  if (tag !== BER.octetString)
    throw new DecodeError(`expected ${what} as OCTET STRING, got tag ${tagHex(tag)}`);
  return bytes;
}

/** Runs a decoder on one datagram; never throws. */
export function decodeSafely<T>(
  buf: Buffer,
  maxBytes: number,
  decode: (r: Reader, buf: Buffer) => T,
): { ok: true; value: T } | { ok: false; error: string } {
  if (buf.length > maxBytes) return { ok: false, error: `datagram of ${buf.length} bytes is too large` };
  try {
    return { ok: true, value: decode(new Ber.Reader(buf), buf) };
  } catch (err) {
    // asn1-ber's own errors (e.g. indefinite length) carry only tag numbers, but keep ours generic anyway.
    return { ok: false, error: err instanceof DecodeError ? err.message : 'malformed BER' };
  }
}
