import { BlockList, isIP } from 'node:net';

import ipaddr from 'ipaddr.js';

/** A bad FLEETQRY_WEBHOOK_ALLOW entry; the message names it. */
export class AllowlistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllowlistError';
  }
}

const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * FLEETQRY_WEBHOOK_ALLOW: CIDRs and host names (`hooks.slack.com`, or `*.example.com` for its subdomains);
 * empty allows nothing. A destination is allowed when every address it resolves to lies in a listed CIDR,
 * or when its name is listed and every address it resolves to is a public one (so a listed name that starts
 * resolving to loopback, a private network or the cloud metadata address is refused: DNS rebinding).
 */
export class DestinationAllowlist {
  private readonly cidrs = new BlockList();
  private readonly names: string[] = [];
  private readonly suffixes: string[] = [];
  readonly entries: readonly string[];

  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const entry of entries) {
      const e = entry.trim().toLowerCase();
      if (e.includes('/')) this.addCidr(e);
      else if (isIP(e)) this.addCidr(`${e}/${isIP(e) === 4 ? 32 : 128}`);
      else if (HOST_NAME.test(e))
        (e.startsWith('*.') ? this.suffixes : this.names).push(e.replace(/^\*/, ''));
      else throw new AllowlistError(`"${entry}" is neither a CIDR nor a host name`);
    }
  }

  static parse(value: string | undefined): DestinationAllowlist {
    return new DestinationAllowlist((value ?? '').split(/[\s,]+/).filter(Boolean));
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  /** Null when `host` (a name or an address literal) resolving to `addresses` may receive; else why not. */
  check(host: string, addresses: readonly string[]): string | null {
    if (this.empty) return 'FLEETQRY_WEBHOOK_ALLOW is empty: no webhook destination is allowed';
    if (addresses.length === 0) return `${host} resolves to no address`;
    const nameListed = isIP(host) === 0 && this.listsName(host);
    for (const address of addresses) {
      if (this.inCidrs(address)) continue;
      if (nameListed && isPublic(address)) continue;
      return nameListed
        ? `${host} resolves to ${address}, a non-public address outside FLEETQRY_WEBHOOK_ALLOW's CIDRs`
        : `${host}${host === address ? '' : ` (${address})`} is not in FLEETQRY_WEBHOOK_ALLOW`;
    }
    return null;
  }

  private listsName(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.names.includes(h) || this.suffixes.some((s) => h.endsWith(s) && h.length > s.length);
  }

  private inCidrs(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    // An IPv4-mapped IPv6 address is its IPv4 address.
    const mapped = family === 6 ? ipaddr.parse(address) : undefined;
    if (mapped instanceof ipaddr.IPv6 && mapped.isIPv4MappedAddress())
      return this.cidrs.check(mapped.toIPv4Address().toString(), 'ipv4');
    return this.cidrs.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  private addCidr(cidr: string): void {
    const [net, bits] = cidr.split('/');
    const family = isIP(net ?? '');
    const prefix = Number(bits);
    if (family === 0 || !/^\d{1,3}$/.test(bits ?? '') || prefix > (family === 4 ? 32 : 128))
      throw new AllowlistError(`"${cidr}" is not a valid CIDR`);
    this.cidrs.addSubnet(net!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Globally routable unicast: not loopback, private, link-local (cloud metadata), CGNAT, multicast, … */
function isPublic(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) parsed = parsed.toIPv4Address();
  return parsed.range() === 'unicast';
}
