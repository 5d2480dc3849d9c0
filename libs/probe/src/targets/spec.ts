import {
  bitsOf,
  cidrBlock,
  parseDecimal,
  parseIp,
  parseIpv4,
  parseIpv6,
  type IpFamily,
} from '@fleetqry/contracts';

import { TargetParseError, type TargetSource } from './errors.js';

/**
 * A parsed target token. Literal kinds carry an inclusive numeric interval so that counting, scope
 * checks and expansion are arithmetic, never materialised lists.
 */
export type TargetSpec = LiteralTargetSpec | HostnameTargetSpec;

interface SpecBase {
  /** The token as the user wrote it (trimmed). */
  given: string;
  source?: TargetSource;
}

export interface LiteralTargetSpec extends SpecBase {
  kind: 'address' | 'cidr' | 'range';
  family: IpFamily;
  first: bigint;
  last: bigint;
  /** Prefix length, for `cidr` only. */
  prefix?: number;
}

export interface HostnameTargetSpec extends SpecBase {
  kind: 'hostname';
  /** Without a trailing dot; case kept as given (printed back as given, like PortQry). */
  name: string;
}

export function isLiteral(spec: TargetSpec): spec is LiteralTargetSpec {
  return spec.kind !== 'hostname';
}

export function hostCount(spec: TargetSpec): bigint {
  return isLiteral(spec) ? spec.last - spec.first + 1n : 1n;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function hostnameProblem(name: string): string | undefined {
  if (name.length > 253) return 'hostname is longer than 253 characters';
  for (const label of name.split('.')) {
    if (label === '') return 'hostname has an empty label';
    if (label.length > 63) return `label "${label.slice(0, 20)}…" is longer than 63 characters`;
    if (!LABEL.test(label)) return `label "${label}" is not letters, digits and inner hyphens (RFC 1123)`;
  }
  return undefined;
}

/**
 * Text that a lenient resolver (inet_aton behind getaddrinfo) would read as an IPv4 address:
 * all-numeric last label (RFC 3696 §2 forbids it for names) or only decimal/hex labels.
 */
function looksLikeIpv4(text: string): boolean {
  const labels = text.split('.');
  return /^\d+$/.test(labels[labels.length - 1]!) || labels.every((l) => /^(\d+|0x[0-9a-f]*)$/i.test(l));
}

function bad(token: string, reason: string, source?: TargetSource): never {
  throw new TargetParseError(token, reason, source);
}

function parseCidr(token: string, source?: TargetSource): LiteralTargetSpec {
  const slash = token.indexOf('/');
  const addrText = token.slice(0, slash);
  const prefixText = token.slice(slash + 1);
  if (addrText === '') bad(token, 'missing address before "/"', source);
  if (prefixText.includes('/')) bad(token, 'more than one "/"', source);
  const addr = parseIp(addrText);
  if (!addr.ok) {
    if (!addrText.includes(':') && !looksLikeIpv4(addrText))
      bad(token, 'a CIDR needs an address literal, not a hostname', source);
    bad(token, addr.reason, source);
  }
  const { family, value } = addr.value;
  const bits = bitsOf(family);
  const prefix = parseDecimal(prefixText, 'prefix length', bits);
  if (!prefix.ok) bad(token, prefix.reason, source);
  // Like nmap, host bits are ignored: 10.0.0.5/24 means the whole 10.0.0.0/24.
  const { first, last } = cidrBlock(family, value, prefix.value);
  return { kind: 'cidr', given: token, source, family, first, last, prefix: prefix.value };
}

function parseRange(token: string, family: IpFamily, source?: TargetSource): LiteralTargetSpec {
  const dash = token.indexOf('-');
  const left = token.slice(0, dash);
  const right = token.slice(dash + 1);
  if (right === '') bad(token, 'range end is missing', source);
  if (right.includes('-')) bad(token, 'more than one "-"', source);
  const start = family === 4 ? parseIpv4(left) : parseIpv6(left);
  if (!start.ok) bad(token, `range start: ${start.reason}`, source);
  let end: bigint;
  if (family === 4 && !right.includes('.')) {
    // Last-octet form: 10.0.0.1-20 replaces the last octet.
    const octet = parseDecimal(right, 'range end octet', 255);
    if (!octet.ok) bad(token, octet.reason, source);
    end = (start.value & ~0xffn) | BigInt(octet.value);
  } else {
    const e = family === 4 ? parseIpv4(right) : parseIpv6(right);
    if (!e.ok) bad(token, `range end: ${e.reason}`, source);
    end = e.value;
  }
  if (end < start.value) bad(token, `range end "${right}" is before its start "${left}"`, source);
  return { kind: 'range', given: token, source, family, first: start.value, last: end };
}

/**
 * Parse one target token: IPv4, IPv6 (no brackets, no zone id), CIDR, `a.b.c.d-e`, `a.b.c.d-w.x.y.z`,
 * full-form IPv6 range, or an RFC 1123 hostname. Throws TargetParseError naming the token.
 */
export function parseTarget(raw: string, source?: TargetSource): TargetSpec {
  const token = raw.trim();
  if (token === '') bad(raw, 'empty target', source);
  if (/\s/.test(token)) bad(token, 'one target per token (contains whitespace)', source);
  if (token.includes('/')) return parseCidr(token, source);
  const dash = token.indexOf('-');
  if (dash >= 0 && token.includes(':')) return parseRange(token, 6, source);
  // `10.0.0.1-20` is a range attempt; `10-0-0-1.example` is a hostname (no dot before the dash).
  if (dash >= 0 && /^[0-9]+\.[0-9.]*$/.test(token.slice(0, dash))) return parseRange(token, 4, source);
  if (token.includes(':') || token.includes('%') || token.startsWith('[')) {
    const v6 = parseIpv6(token);
    if (!v6.ok) bad(token, v6.reason, source);
    return { kind: 'address', given: token, source, family: 6, first: v6.value, last: v6.value };
  }
  const name = token.endsWith('.') ? token.slice(0, -1) : token;
  if (looksLikeIpv4(name)) {
    const v4 = parseIpv4(token);
    if (!v4.ok) bad(token, v4.reason, source);
    return { kind: 'address', given: token, source, family: 4, first: v4.value, last: v4.value };
  }
  const problem = hostnameProblem(name);
  if (problem) bad(token, problem, source);
  return { kind: 'hostname', given: token, source, name };
}

/** Parse several tokens; the first bad one throws. */
export function parseTargets(tokens: Iterable<string>): TargetSpec[] {
  return Array.from(tokens, (t) => parseTarget(t));
}
