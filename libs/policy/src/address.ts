import {
  bitsOf,
  cidrBlock,
  compareIp,
  formatIp,
  parseDecimal,
  parseIp,
  unmapIpv4,
  type IpAddress,
} from '@fleetqry/contracts';

/**
 * Addresses as the policy sees them, over the shared strict parser of `@fleetqry/contracts` (dotted-quad
 * decimal only, no octal, hex or short forms, no zone ids). One policy rule on top: an IPv4-mapped IPv6
 * address (`::ffff:10.0.0.1`) is the IPv4 host it carries, so a finding, waiver or filter names one host
 * whichever way a socket spelled it.
 *
 * Address selectors (`hosts:` in a rule's appliesTo, `address`/`cidr` in waivers and filters) are a literal
 * address or a CIDR, the prefix within the family's width.
 */
class AddressSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressSelectorError';
  }
}

/** Parses an address strictly (surrounding white space ignored); undefined when it is not one (e.g. a hostname). */
export function parseAddress(text: string): IpAddress | undefined {
  const p = parseIp(text.trim());
  return p.ok ? unmapIpv4(p.value) : undefined;
}

/** Canonical text of an address (`::ffff:10.0.0.1`, `0:0::1` and friends compare equal); undefined when it is not one. */
export function addressKey(text: string): string | undefined {
  const a = parseAddress(text);
  return a && formatIp(a.family, a.value);
}

/** Canonical text of an address, anything else trimmed and lowercased (a hostname). */
export function canonicalAddress(address: string): string {
  return addressKey(address) ?? address.trim().toLowerCase();
}

export interface AddressSelector {
  readonly text: string;
  /** Prefix length (IPv4 bits for an IPv4-mapped CIDR); the family's width for a single address. */
  readonly prefix: number;
  contains(address: string): boolean;
}

/** The first 96 bits of `::ffff:a.b.c.d`: a mapped CIDR must keep them to stay an IPv4 block. */
const MAPPED_PREFIX = 96;

export function parseAddressSelector(text: string): AddressSelector {
  const slash = text.indexOf('/');
  const written = parseIp((slash < 0 ? text : text.slice(0, slash)).trim());
  if (!written.ok) throw new AddressSelectorError(`"${text}" is not an IPv4/IPv6 address or CIDR`);
  const base = unmapIpv4(written.value);
  const mapped = base.family !== written.value.family;
  const width = bitsOf(written.value.family);
  let prefix = bitsOf(base.family);
  if (slash >= 0) {
    const p = parseDecimal(text.slice(slash + 1), 'prefix', width);
    if (!p.ok) throw new AddressSelectorError(`"${text}": prefix must be 0-${width}`);
    if (mapped && p.value < MAPPED_PREFIX)
      throw new AddressSelectorError(`"${text}": an IPv4-mapped prefix must be ${MAPPED_PREFIX}-128`);
    prefix = mapped ? p.value - MAPPED_PREFIX : p.value;
  }
  const { first, last } = cidrBlock(base.family, base.value, prefix);
  return {
    text,
    prefix,
    contains(address: string): boolean {
      const a = parseAddress(address);
      return a !== undefined && a.family === base.family && a.value >= first && a.value <= last;
    },
  };
}

/** Orders addresses numerically (IPv4 before IPv6), anything unparsable last by text. */
export function compareAddresses(a: string, b: string): number {
  const pa = parseAddress(a);
  const pb = parseAddress(b);
  if (pa && pb) return compareIp(pa, pb);
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
