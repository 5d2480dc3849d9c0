/**
 * Strict IP address literals as bigints. We parse by hand instead of trusting inet_aton-style
 * parsers because those accept octal (`012.0.0.1`), hex (`0x7f.1`) and short (`127.1`) forms that
 * mean different hosts to different tools; a scope check is only as good as the parser in front of it.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  value: bigint;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

export const IPV4_MAX = (1n << 32n) - 1n;
const IPV6_MAX = (1n << 128n) - 1n;
/** ::ffff:0:0/96, where Linux dual-stack sockets put IPv4 peers. */
export const V4_MAPPED_FIRST = 0xffff_0000_0000n;
export const V4_MAPPED_LAST = 0xffff_ffff_ffffn;

function maxOf(family: IpFamily): bigint {
  return family === 4 ? IPV4_MAX : IPV6_MAX;
}

export function bitsOf(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** One decimal number without sign or leading zeros, like an octet or a prefix length. */
export function parseDecimal(text: string, what: string, max: number): Parsed<number> {
  if (text === '') return fail(`${what} is empty`);
  if (/^0x/i.test(text)) return fail(`hexadecimal ${what}s are not allowed`);
  if (!/^\d+$/.test(text)) return fail(`${what} "${text}" is not a decimal number`);
  if (text.length > 1 && text.startsWith('0')) return fail('leading zeros are not allowed');
  // Length check first so "99999999999999999999" does not lose precision before the range check.
  if (text.length > String(max).length || Number(text) > max)
    return fail(`${what} ${text} is out of range 0-${max}`);
  return ok(Number(text));
}

export function parseIpv4(text: string): Parsed<bigint> {
  const parts = text.split('.');
  // Judge each part before counting, so `0x7f.1` is reported as hex rather than as short form.
  for (const part of parts) {
    if (/^0x/i.test(part)) return fail('hexadecimal octets are not allowed');
    if (part !== '' && !/^\d+$/.test(part)) return fail(`octet "${part}" is not a decimal number`);
  }
  if (parts.length < 4) return fail('short-form IPv4 addresses are not allowed (write all four octets)');
  if (parts.length > 4) return fail('an IPv4 address has exactly four octets');
  let value = 0n;
  for (const part of parts) {
    const octet = parseDecimal(part, 'octet', 255);
    if (!octet.ok) return fail(octet.reason);
    value = (value << 8n) | BigInt(octet.value);
  }
  return ok(value);
}

function parseGroups(side: string): Parsed<number[]> {
  if (side === '') return ok([]);
  const out: number[] = [];
  const groups = side.split(':');
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (g.includes('.')) {
      // Embedded IPv4 (e.g. ::ffff:127.0.0.1) is only valid as the last 32 bits.
      if (i !== groups.length - 1) return fail('an embedded IPv4 address must come last');
      const v4 = parseIpv4(g);
      if (!v4.ok) return fail(`embedded IPv4 address: ${v4.reason}`);
      out.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
      continue;
    }
    if (g === '') return fail('empty group (a single ":" where "::" or a group was expected)');
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return fail(`group "${g}" is not 1-4 hexadecimal digits`);
    out.push(parseInt(g, 16));
  }
  return ok(out);
}

export function parseIpv6(text: string): Parsed<bigint> {
  if (text.includes('%')) return fail('IPv6 zone ids (%) are not supported');
  if (text.startsWith('[') || text.endsWith(']')) return fail('write IPv6 addresses without brackets');
  const halves = text.split('::');
  if (halves.length > 2) return fail('"::" may appear only once');
  const head = parseGroups(halves[0]!);
  if (!head.ok) return fail(head.reason);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : ok<number[]>([]);
  if (!tail.ok) return fail(tail.reason);
  if (halves.length === 2 && halves[0]!.includes('.')) return fail('an embedded IPv4 address must come last');
  const count = head.value.length + tail.value.length;
  if (halves.length === 1 && count !== 8) return fail(`an IPv6 address has 8 groups, found ${count}`);
  if (halves.length === 2 && count > 7) return fail('"::" must stand for at least one zero group');
  const groups = [...head.value, ...new Array<number>(8 - count).fill(0), ...tail.value];
  return ok(groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n));
}

/** Either family; the reason names the family the text looked like. */
export function parseIp(text: string): Parsed<IpAddress> {
  if (text.includes(':') || text.includes('%') || text.startsWith('[')) {
    const v6 = parseIpv6(text);
    return v6.ok ? ok({ family: 6, value: v6.value }) : fail(v6.reason);
  }
  const v4 = parseIpv4(text);
  return v4.ok ? ok({ family: 4, value: v4.value }) : fail(v4.reason);
}

export function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
}

/** RFC 5952 text: lowercase, longest zero run (>= 2 groups, leftmost on ties) as "::", mapped IPv4 dotted. */
export function formatIpv6(value: bigint): string {
  if (value >= V4_MAPPED_FIRST && value <= V4_MAPPED_LAST) return `::ffff:${formatIpv4(value & IPV4_MAX)}`;
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((value >> s) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatIp(family: IpFamily, value: bigint): string {
  return family === 4 ? formatIpv4(value) : formatIpv6(value);
}

/** Canonical text of a literal, or undefined when it is not one (hostnames, bad forms). */
export function canonicalIp(text: string): string | undefined {
  const p = parseIp(text);
  return p.ok ? formatIp(p.value.family, p.value.value) : undefined;
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it carries; anything else as is. */
export function unmapIpv4(ip: IpAddress): IpAddress {
  return ip.family === 6 && ip.value >= V4_MAPPED_FIRST && ip.value <= V4_MAPPED_LAST
    ? { family: 4, value: ip.value & IPV4_MAX }
    : ip;
}

/** Numeric order, IPv4 before IPv6. */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** The inclusive block `value/prefix` lies in; host bits are ignored (10.0.0.5/24 is 10.0.0.0/24). */
export function cidrBlock(family: IpFamily, value: bigint, prefix: number): { first: bigint; last: bigint } {
  const hostMask = (1n << BigInt(bitsOf(family) - prefix)) - 1n;
  const first = value & (maxOf(family) ^ hostMask);
  return { first, last: first | hostMask };
}
