import { MAX_PORT, type PortRange, PortSet, type Proto } from '@fleetqry/contracts';

import { PortParseError } from './errors.js';
import { findService, servicePort } from './services.js';

/** One item of a port list before it is bound to a protocol (service names differ per protocol). */
export type PortItem =
  { kind: 'range'; range: PortRange; token: string } | { kind: 'service'; name: string; token: string };

/** A parsed port list; `forProto` binds service names to one protocol. */
export class PortSpec {
  constructor(
    readonly text: string,
    readonly items: readonly PortItem[],
  ) {}

  /**
   * Ports of this spec on `proto`. With `lenientServices`, a service name that exists only on the
   * other protocol contributes nothing (used for `both`, so `snmp` means UDP 161 only); otherwise
   * it is an error naming the token.
   */
  forProto(proto: Proto, lenientServices = false): PortSet {
    const ranges: PortRange[] = [];
    for (const item of this.items) {
      if (item.kind === 'range') {
        ranges.push(item.range);
        continue;
      }
      const port = servicePort(item.name, proto);
      if (port !== undefined) ranges.push([port, port]);
      else if (!lenientServices) {
        const entry = findService(item.name)!;
        throw new PortParseError(
          item.token,
          `service "${item.name}" has no ${proto} port (it is ${entry.protos.join('/')} ${entry.port})`,
        );
      }
    }
    return PortSet.fromRanges(ranges);
  }

  /** Protocols on which at least one item yields a port. */
  protos(): Proto[] {
    return (['tcp', 'udp'] as const).filter((p) => !this.forProto(p, true).isEmpty);
  }
}

/** A strict port number: decimal, no sign, no leading zeros, 1..65535. */
export function parsePortNumber(text: string, token: string = text): number {
  if (text === '') throw new PortParseError(token, 'empty port');
  if (!/^\d+$/.test(text)) throw new PortParseError(token, `"${text}" is not a port number`);
  if (text.length > 1 && text.startsWith('0'))
    throw new PortParseError(token, 'leading zeros are not allowed');
  const n = text.length > 5 ? Infinity : Number(text);
  if (n < 1 || n > MAX_PORT) throw new PortParseError(token, `port ${text} is out of range 1-${MAX_PORT}`);
  return n;
}

function parseRangeItem(token: string, sep: '-' | ':'): PortRange {
  const at = token.indexOf(sep);
  const left = token.slice(0, at);
  const right = token.slice(at + 1);
  if (left === '')
    throw new PortParseError(
      token,
      sep === '-' && /^\d+$/.test(right) ? 'negative ports are not allowed' : 'range start is missing',
    );
  if (right === '') throw new PortParseError(token, 'range end is missing');
  if (right.includes(sep)) throw new PortParseError(token, `more than one "${sep}"`);
  const lo = parsePortNumber(left, token);
  const hi = parsePortNumber(right, token);
  if (hi < lo) throw new PortParseError(token, `range end ${hi} is before its start ${lo}`);
  return [lo, hi];
}

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/i;

/**
 * The fleet form: comma-separated items, each a port (`80`), a range (`1-1024`, or PortQry's
 * `10:100`), or a service name from the port table (`ldap`, `dns`). Spaces around items are
 * allowed; empty items are not.
 */
export function parsePortSpec(text: string): PortSpec {
  if (text.trim() === '') throw new PortParseError(text, 'empty port list');
  const items: PortItem[] = text.split(',').map((raw) => {
    const token = raw.trim();
    if (token === '') throw new PortParseError(text, 'empty item in port list');
    const sep = token.includes('-') && /^[\d-]*$/.test(token) ? '-' : token.includes(':') ? ':' : undefined;
    if (sep) return { kind: 'range', range: parseRangeItem(token, sep), token };
    if (/^\d/.test(token))
      return { kind: 'range', range: [parsePortNumber(token), parsePortNumber(token)], token };
    if (!SERVICE_NAME.test(token)) throw new PortParseError(token, 'not a port, range or service name');
    const entry = findService(token);
    if (!entry) throw new PortParseError(token, `unknown service name "${token}"`);
    return { kind: 'service', name: entry.name, token };
  });
  return new PortSpec(text, items);
}

/** Shorthand: a fleet-form list bound to one protocol. */
export function parsePorts(text: string, proto: Proto): PortSet {
  return parsePortSpec(text).forProto(proto);
}

/** PortQry `-e 80`: exactly one port number. */
export function parsePortQryEndpoint(text: string): PortSet {
  const token = text.trim();
  return PortSet.of(parsePortNumber(token, token));
}

/** PortQry `-r 10:100`: a colon range (PortQry does not take `-` here). */
export function parsePortQryRange(text: string): PortSet {
  const token = text.trim();
  if (token === '') throw new PortParseError(text, 'empty port range');
  if (!token.includes(':')) throw new PortParseError(token, 'a -r range is start:end (PortQry uses a colon)');
  return PortSet.fromRanges([parseRangeItem(token, ':')]);
}

/** PortQry `-o 53,80,443`: comma-separated port numbers. */
export function parsePortQryList(text: string): PortSet {
  if (text.trim() === '') throw new PortParseError(text, 'empty port list');
  return PortSet.fromRanges(
    text.split(',').map((raw) => {
      const token = raw.trim();
      if (token === '') throw new PortParseError(text, 'empty item in port list');
      const p = parsePortNumber(token, token);
      return [p, p] as const;
    }),
  );
}
