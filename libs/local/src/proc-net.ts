import { endianness } from 'node:os';

import { formatIp, type LocalTcpState, type Proto } from '@fleetqry/contracts';

/** One row of /proc/net/{tcp,tcp6,udp,udp6}, decoded. */
export interface RawSocket {
  proto: Proto;
  family: 'ipv4' | 'ipv6';
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** TCP state; null for UDP. */
  state: LocalTcpState | null;
  uid: number;
  inode: number;
}

export interface SocketTable {
  sockets: RawSocket[];
  /** Lines that were not a well-formed row (truncated, garbled): skipped, counted. */
  malformed: number;
}

/** Linux's TCP state codes (include/net/tcp_states.h), in PortQry's spelling. */
const TCP_STATES: Record<number, LocalTcpState> = {
  0x01: 'ESTABLISHED',
  0x02: 'SYN_SENT',
  0x03: 'SYN_RECEIVED',
  0x04: 'FIN_WAIT1',
  0x05: 'FIN_WAIT2',
  0x06: 'TIME_WAIT',
  0x07: 'CLOSED',
  0x08: 'CLOSE_WAIT',
  0x09: 'LAST_ACK',
  0x0a: 'LISTENING',
  0x0b: 'CLOSING',
  0x0c: 'SYN_RECEIVED', // NEW_SYN_RECV: a request socket
};

export function tcpStateName(code: number): LocalTcpState {
  return TCP_STATES[code] ?? 'UNKNOWN';
}

const HOST_LE = endianness() === 'LE';

/**
 * The kernel prints each 32-bit word of the address with %08X from host memory: on a little-endian
 * host the bytes of every word come out reversed. IPv4 is one word, IPv6 four.
 */
function addressBytes(hex: string, littleEndian: boolean): number[] {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hex.slice(w + i, w + i + 2), 16));
    bytes.push(...(littleEndian ? word.reverse() : word));
  }
  return bytes;
}

/** `0100007F:0050` → 127.0.0.1, 80 (or the IPv6 form). Undefined when malformed. */
export function decodeEndpoint(
  text: string,
  family: 'ipv4' | 'ipv6',
  littleEndian = HOST_LE,
): { address: string; port: number } | undefined {
  const width = family === 'ipv4' ? 8 : 32;
  const m = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(text);
  if (!m || m[1]!.length !== width) return undefined;
  const bytes = addressBytes(m[1]!, littleEndian);
  return {
    // RFC 5952, IPv4-mapped addresses as ::ffff:a.b.c.d as Linux tools print them.
    address: formatIp(
      family === 'ipv4' ? 4 : 6,
      bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n),
    ),
    port: parseInt(m[2]!, 16),
  };
}

/**
 * Parses a socket table. Header lines are skipped; any row that is not exactly what the kernel writes
 * (too few fields, bad hex, non-numeric uid/inode) is counted as malformed and skipped, never thrown.
 */
export function parseSocketTable(
  text: string,
  proto: Proto,
  family: 'ipv4' | 'ipv6',
  littleEndian = HOST_LE,
): SocketTable {
  const sockets: RawSocket[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === '' || f[0] === 'sl') continue;
    if (f.length < 10 || !/^\d+:$/.test(f[0]!) || !/^[0-9A-Fa-f]{2}$/.test(f[3]!)) {
      malformed++;
      continue;
    }
    const local = decodeEndpoint(f[1]!, family, littleEndian);
    const remote = decodeEndpoint(f[2]!, family, littleEndian);
    if (!local || !remote || !/^\d+$/.test(f[7]!) || !/^\d+$/.test(f[9]!)) {
      malformed++;
      continue;
    }
    sockets.push({
      proto,
      family,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      state: proto === 'tcp' ? tcpStateName(parseInt(f[3]!, 16)) : null,
      uid: Number(f[7]),
      inode: Number(f[9]),
    });
  }
  return { sockets, malformed };
}

/** The four tables, relative to the proc root. */
export const SOCKET_TABLES = [
  { file: 'net/tcp', proto: 'tcp', family: 'ipv4' },
  { file: 'net/tcp6', proto: 'tcp', family: 'ipv6' },
  { file: 'net/udp', proto: 'udp', family: 'ipv4' },
  { file: 'net/udp6', proto: 'udp', family: 'ipv6' },
] as const;
