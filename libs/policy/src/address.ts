import ipaddr from 'ipaddr.js';

/**
 * Address selectors (`hosts:` in a rule's appliesTo, `address`/`cidr` in waivers and filters): a
 * literal IPv4/IPv6 address or a CIDR. Strict like the rest of fleetqry: dotted-quad decimal only
 * (no octal, hex or short forms), prefix within the family's width.
 */
class AddressSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressSelectorError';
  }
}

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Parses an address strictly; undefined when it is not one (e.g. a hostname). */
export function parseAddress(text: string): Addr | undefined {
  const t = text.trim();
  if (t.includes(':')) {
    if (!ipaddr.IPv6.isValid(t)) return undefined;
    const a = ipaddr.IPv6.parse(t);
    return a.isIPv4MappedAddress() ? a.toIPv4Address() : a;
  }
  return DOTTED_QUAD.test(t) ? ipaddr.IPv4.parse(t) : undefined;
}

export interface AddressSelector {
  readonly text: string;
  /** Prefix length; the family's width for a single address. */
  readonly prefix: number;
  contains(address: string): boolean;
}

export function parseAddressSelector(text: string): AddressSelector {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const base = parseAddress(addrText);
  if (!base) throw new AddressSelectorError(`"${text}" is not an IPv4/IPv6 address or CIDR`);
  const width = base.kind() === 'ipv4' ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > width) {
      throw new AddressSelectorError(`"${text}": prefix must be 0-${width}`);
    }
    prefix = Number(p);
  }
  const range: [Addr, number] = [base, prefix];
  return {
    text,
    prefix,
    contains(address: string): boolean {
      const a = parseAddress(address);
      if (!a || a.kind() !== base.kind()) return false;
      return a.match(range);
    },
  };
}

/** Orders addresses numerically (IPv4 before IPv6), anything unparsable last by text. */
export function compareAddresses(a: string, b: string): number {
  const pa = parseAddress(a);
  const pb = parseAddress(b);
  if (pa && pb) {
    if (pa.kind() !== pb.kind()) return pa.kind() === 'ipv4' ? -1 : 1;
    const ba = pa.toByteArray();
    const bb = pb.toByteArray();
    for (let i = 0; i < ba.length; i++) if (ba[i] !== bb[i]) return ba[i]! - bb[i]!;
    return 0;
  }
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
