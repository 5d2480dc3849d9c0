/**
 * NTP (RFC 5905) client request and server reply. The request is mode 3, version 4, every field zero
 * except the transmit timestamp, which carries 8 random bytes (as chrony's clients do): it is a cookie
 * the server echoes as the origin timestamp, so a reply is matched to our request without telling the
 * server our clock. The parser reads a fixed 48-byte header; extension fields and MACs are ignored.
 */
import { randomBytes } from 'node:crypto';

import type { NtpData } from '@fleetqry/contracts';

const NTP_HEADER_BYTES = 48;
const ORIGIN_OFFSET = 24;
const TRANSMIT_OFFSET = 40;
/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
const NTP_UNIX_OFFSET = 2_208_988_800;
const LEAP = ['none', 'add-second', 'del-second', 'unsynchronized'] as const;

export function buildClientRequest(cookie: Buffer = randomBytes(8)): Buffer {
  const b = Buffer.alloc(NTP_HEADER_BYTES);
  b[0] = (0 << 6) | (4 << 3) | 3; // LI 0, VN 4, mode 3 (client)
  cookie.copy(b, TRANSMIT_OFFSET, 0, 8);
  return b;
}

/** The cookie a reply must echo in its origin timestamp. */
export function cookieOf(request: Buffer): Buffer {
  return request.subarray(TRANSMIT_OFFSET, TRANSMIT_OFFSET + 8);
}

/** Whether a datagram answers `request`: too short to tell (the parser will refuse it) or echoing the cookie. */
export function answersRequest(msg: Buffer, request: Buffer): boolean {
  return (
    msg.length < NTP_HEADER_BYTES || msg.subarray(ORIGIN_OFFSET, ORIGIN_OFFSET + 8).equals(cookieOf(request))
  );
}

/** NTP timestamp → ISO 8601 (era 0 until 2036, then era 1), undefined when zero. */
export function ntpTime(buf: Buffer, at: number): string | undefined {
  const seconds = buf.readUInt32BE(at);
  const fraction = buf.readUInt32BE(at + 4);
  if (seconds === 0 && fraction === 0) return undefined;
  // Timestamps with the top bit clear are read as era 1 (2036-2104), as RFC 4330 §3 suggests.
  const unix = seconds - NTP_UNIX_OFFSET + (seconds < 0x8000_0000 ? 2 ** 32 : 0);
  return new Date(unix * 1000 + Math.floor((fraction / 2 ** 32) * 1000)).toISOString();
}

const ascii = (b: Buffer): string =>
  [...b]
    .filter((c) => c !== 0)
    .map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?'))
    .join('');

function refIdOf(stratum: number, raw: Buffer): string {
  if (stratum <= 1) return ascii(raw);
  // Stratum ≥ 2: the upstream's IPv4 address (or, for IPv6 upstreams, the first bytes of an MD5 hash).
  return [...raw].join('.');
}

export type NtpParse = { ok: true; data: NtpData } | { ok: false; error: string };

export function parseReply(buf: Buffer): NtpParse {
  if (buf.length < NTP_HEADER_BYTES)
    return { ok: false, error: `datagram of ${buf.length} bytes is shorter than an NTP header` };
  const version = (buf[0]! >> 3) & 0x07;
  const mode = buf[0]! & 0x07;
  if (mode !== 4 && mode !== 5) return { ok: false, error: `mode ${mode} is not a server reply` };
  if (version < 1) return { ok: false, error: `version ${version}` };
  const stratum = buf[1]!;
  const refRaw = buf.subarray(12, 16);
  const referenceTime = ntpTime(buf, 16);
  const transmitTime = ntpTime(buf, TRANSMIT_OFFSET);
  const data: NtpData = {
    version,
    mode,
    leap: LEAP[buf[0]! >> 6]!,
    stratum,
    refId: refIdOf(stratum, refRaw),
    poll: buf.readInt8(2),
    precision: buf.readInt8(3),
    rootDelay: buf.readInt32BE(4) / 65536,
    rootDispersion: buf.readUInt32BE(8) / 65536,
    ...(referenceTime ? { referenceTime } : {}),
    ...(transmitTime ? { transmitTime } : {}),
    ...(stratum === 0 ? { kissCode: ascii(refRaw) } : {}),
  };
  return { ok: true, data };
}
