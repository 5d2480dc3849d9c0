import net from 'node:net';

import { completeLines, complete, type Framer, invalid, MORE } from '../common/framing.js';
import { toPrintable } from '../common/printable.js';

const HTTP_PREFIX = Buffer.from('HTTP/', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const LFLF = Buffer.from('\n\n', 'latin1');

/** Cap on the printable Server value (and other strings) kept from a response. */
const MAX_HEADER_VALUE_CHARS = 256;

/**
 * An HTTP/1.x response head (RFC 9112 §2.1): status line and header fields, ending at an empty line.
 * Bytes that do not start `HTTP/` are rejected as soon as they arrive. The size cap is the read's.
 */
export const httpHeadFramer: Framer = (buf) => {
  const n = Math.min(HTTP_PREFIX.length, buf.length);
  if (!buf.subarray(0, n).equals(HTTP_PREFIX.subarray(0, n)))
    return invalid('response does not start with HTTP/');
  const crlf = buf.indexOf(CRLFCRLF);
  const lf = buf.indexOf(LFLF);
  const ends = [crlf >= 0 ? crlf + 4 : -1, lf >= 0 ? lf + 2 : -1].filter((i) => i >= 0);
  return ends.length > 0 ? complete(Math.min(...ends)) : MORE;
};

export interface HttpHead {
  /** Absent when the status line is not `HTTP/x.y ddd …`. */
  statusCode?: number;
  httpVersion?: string;
  /** Printable reason phrase. */
  reason?: string;
  /** Printable `Server:` value (the first one), capped. */
  server?: string;
  /** Number of header fields seen. */
  headerCount: number;
}

/**
 * Parses a response head, or the complete lines of a truncated one (fields of a cut-off head that
 * arrived whole are still reported). obs-fold continuation lines are joined to their field.
 */
export function parseHttpHead(bytes: Buffer): HttpHead {
  const lines = [...completeLines(bytes)].map((l) => l.text.toString('latin1'));
  const head: HttpHead = { headerCount: 0 };
  const status = /^HTTP\/(\d(?:\.\d)?) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (status) {
    head.httpVersion = status[1]!;
    head.statusCode = Number(status[2]);
    if (status[3]) head.reason = toPrintable(status[3], MAX_HEADER_VALUE_CHARS);
  }
  let serverRaw: string | undefined;
  let lastWasServer = false;
  for (const line of lines.slice(1)) {
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && lastWasServer && serverRaw !== undefined) {
      serverRaw += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    head.headerCount++;
    const name = line.slice(0, colon).trim().toLowerCase();
    lastWasServer = name === 'server' && serverRaw === undefined;
    if (lastWasServer) serverRaw = line.slice(colon + 1).trim();
  }
  if (serverRaw !== undefined) head.server = toPrintable(serverRaw, MAX_HEADER_VALUE_CHARS);
  return head;
}

/** The `Host` header value: the user's name when it is a plain host name or IP, else the address. */
export function hostHeader(host: string, address: string, port: number, tls: boolean): string {
  const name = /^[A-Za-z0-9._-]{1,253}$/.test(host) || net.isIPv6(host) ? host : address;
  const shown = net.isIPv6(name) ? `[${name}]` : name;
  const defaultPort = tls ? 443 : 80;
  return port === defaultPort ? shown : `${shown}:${port}`;
}

/** SNI name: the user's host when it is a DNS name (never an IP literal), without a trailing dot. */
export function sniName(host: string): string | undefined {
  if (net.isIP(host) !== 0 || !/^[A-Za-z0-9._-]{1,253}$/.test(host)) return undefined;
  const name = host.replace(/\.$/, '');
  return name.includes('.') || /^[A-Za-z]/.test(name) ? name : undefined;
}

const USER_AGENT = 'fleetqry';

export function buildRequest(method: 'HEAD' | 'GET', hostValue: string): string {
  return (
    `${method} / HTTP/1.1\r\nHost: ${hostValue}\r\nUser-Agent: ${USER_AGENT}\r\n` +
    'Accept: */*\r\nConnection: close\r\n\r\n'
  );
}
