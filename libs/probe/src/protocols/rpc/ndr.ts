/**
 * Bounds-checked reading of NDR (DCE 1.1 ch. 14) and of the little-endian-fixed tower encoding. Every
 * read checks the remaining length first and throws `NdrError`, which the decoders catch and turn into
 * a `protocol-error` result; nothing is ever allocated from a length field before it is checked
 * against the bytes actually present.
 */
import { toPrintable } from '../common/printable.js';

export class NdrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NdrError';
  }
}

export class NdrReader {
  private pos: number;

  /**
   * @param buf bytes to read
   * @param littleEndian integer byte order (NDR: the sender's data representation, "reader makes right")
   * @param origin offset in `buf` that alignment is relative to (the start of the stub)
   */
  constructor(
    private readonly buf: Buffer,
    private readonly littleEndian = true,
    private readonly origin = 0,
    start = origin,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || n > this.remaining)
      throw new NdrError(`${what}: need ${n} bytes at offset ${this.pos}, ${this.remaining} left`);
  }

  /** Skips padding so the next read is at a multiple of `n` from the origin. */
  align(n: number): void {
    const pad = (n - ((this.pos - this.origin) % n)) % n;
    this.need(pad, 'alignment padding');
    this.pos += pad;
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.littleEndian ? this.buf.readUInt16LE(this.pos) : this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.littleEndian ? this.buf.readUInt32LE(this.pos) : this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A view (no copy) of the next `n` bytes. */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A UUID in NDR: u32, u16, u16 in the data representation's order, then 8 bytes as they are. */
  uuid(what = 'uuid'): string {
    this.need(16, what);
    const d1 = this.u32();
    const d2 = this.u16();
    const d3 = this.u16();
    return formatUuid(d1, d2, d3, this.bytes(8));
  }
}

function formatUuid(d1: number, d2: number, d3: number, d4: Buffer): string {
  const hex = d4.toString('hex');
  return [
    d1.toString(16).padStart(8, '0'),
    d2.toString(16).padStart(4, '0'),
    d3.toString(16).padStart(4, '0'),
    hex.slice(0, 4),
    hex.slice(4),
  ].join('-');
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID string as 16 little-endian NDR bytes (the order towers and our own requests use). */
export function uuidToBytesLE(uuid: string): Buffer {
  if (!UUID_RE.test(uuid)) throw new Error(`not a UUID: ${uuid}`);
  const hex = uuid.replace(/-/g, '');
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(hex.slice(0, 8), 16), 0);
  out.writeUInt16LE(parseInt(hex.slice(8, 12), 16), 4);
  out.writeUInt16LE(parseInt(hex.slice(12, 16), 16), 6);
  Buffer.from(hex.slice(16), 'hex').copy(out, 8);
  return out;
}

/** 16 little-endian bytes → UUID string (caller guarantees the length). */
export function uuidFromBytesLE(b: Buffer): string {
  return formatUuid(b.readUInt32LE(0), b.readUInt16LE(4), b.readUInt16LE(6), b.subarray(8, 16));
}

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Text from the peer, made safe to print: NUL-terminated strings lose the terminator (and anything
 * after it), other control bytes and non-ASCII become `\xHH`, and the result is capped.
 */
export function printable(b: Buffer, max = 256): string {
  const nul = b.indexOf(0);
  return toPrintable(nul >= 0 ? b.subarray(0, nul) : b, max);
}
