import * as dns from 'node:dns';
import { Resolver } from 'node:dns/promises';

import { canonicalIp, type IpFamily, parseDecimal, parseIp, withTimeout } from '@fleetqry/contracts';

import { DnsServerParseError, TargetResolutionError } from './errors.js';

/** Which address families a hostname may resolve to; `any` asks for both and prefers IPv4. */
export type FamilyChoice = 4 | 6 | 'any';

export interface ResolvedAddress {
  address: string;
  family: IpFamily;
}

/**
 * Name resolution as the probe sees it. Injected everywhere so that tests (and plugins) never reach
 * the machine's resolver by accident.
 */
export interface TargetResolver {
  /** Addresses in preference order; rejects with TargetResolutionError when there are none. */
  resolve(name: string, family: FamilyChoice): Promise<ResolvedAddress[]>;
  /** PTR names without trailing dot; [] when the address has none. Rejects on transport errors. */
  reverse(address: string): Promise<string[]>;
}

export interface ResolverOptions {
  /** `--dns-server` values: `127.30.0.7`, `127.30.0.7:5353`, `::1`, `[::1]:5353`. */
  dnsServers?: readonly string[];
  /** Per query attempt, in ms. */
  timeoutMs?: number;
  /** Attempts per query (DNS server path only; getaddrinfo does its own retrying). */
  tries?: number;
}

const DEFAULT_DNS_TIMEOUT_MS = 2000;
const DEFAULT_DNS_TRIES = 2;

/** Validate a `--dns-server` value strictly and return it in the form `Resolver#setServers` takes. */
export function parseDnsServer(value: string): string {
  const text = value.trim();
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
    if (!host.includes(':')) throw new DnsServerParseError(value, 'brackets are only for IPv6 addresses');
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [host, portText] = text.split(':') as [string, string];
  }
  const addr = parseIp(host);
  if (!addr.ok) throw new DnsServerParseError(value, addr.reason);
  const canonical = canonicalIp(host)!;
  if (portText === undefined) return canonical;
  const port = parseDecimal(portText, 'port', 65535);
  if (!port.ok) throw new DnsServerParseError(value, port.reason);
  if (port.value === 0) throw new DnsServerParseError(value, 'port 0 is not allowed');
  return addr.value.family === 6 ? `[${canonical}]:${port.value}` : `${canonical}:${port.value}`;
}

const NO_ANSWER = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

function explain(err: unknown, name: string, timeoutMs: number, tries: number): TargetResolutionError {
  if (err instanceof TargetResolutionError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ENOTFOUND: 'no such name',
    ENODATA: 'no address records of the requested family',
    ETIMEOUT: `no answer from the DNS server (${tries} × ${timeoutMs} ms)`,
    ETIMEDOUT: `no answer within ${timeoutMs} ms`,
    ECONNREFUSED: 'the DNS server refused the connection',
    ESERVFAIL: 'the DNS server failed (SERVFAIL)',
    EREFUSED: 'the DNS server refused the query',
  };
  return new TargetResolutionError(
    name,
    (code && reasons[code]) ?? (err as Error)?.message ?? String(err),
    code,
  );
}

function stripDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Collect both families' answers; fail only when neither produced an address. */
async function combineFamilies(
  name: string,
  family: FamilyChoice,
  query: (f: IpFamily) => Promise<string[]>,
  wrap: (err: unknown) => TargetResolutionError,
): Promise<ResolvedAddress[]> {
  const families: IpFamily[] = family === 'any' ? [4, 6] : [family];
  const settled = await Promise.allSettled(families.map((f) => query(f)));
  const out: ResolvedAddress[] = [];
  const errors: unknown[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'rejected') return void errors.push(s.reason);
    for (const a of s.value) {
      const address = canonicalIp(a);
      if (address) out.push({ address, family: families[i]! });
    }
  });
  if (out.length > 0) return out;
  // Prefer a transport error (timeout, refused) over "no records" from the other family.
  const significant = errors.find((e) => !NO_ANSWER.has((e as NodeJS.ErrnoException).code ?? ''));
  if (significant !== undefined || errors.length > 0) throw wrap(significant ?? errors[0]);
  throw new TargetResolutionError(name, 'no address records of the requested family', 'ENODATA');
}

/** Queries DNS servers directly (node:dns Resolver, c-ares): used for `--dns-server`. No hosts file. */
export class DnsTargetResolver implements TargetResolver {
  private readonly resolver: Resolver;
  private readonly timeoutMs: number;
  private readonly tries: number;

  constructor(options: ResolverOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
    this.tries = options.tries ?? DEFAULT_DNS_TRIES;
    this.resolver = new Resolver({ timeout: this.timeoutMs, tries: this.tries });
    if (options.dnsServers && options.dnsServers.length > 0) {
      this.resolver.setServers(options.dnsServers.map(parseDnsServer));
    }
  }

  /** The servers actually queried (normalised), for logs. */
  servers(): string[] {
    return this.resolver.getServers();
  }

  resolve(name: string, family: FamilyChoice): Promise<ResolvedAddress[]> {
    return combineFamilies(
      name,
      family,
      (f) => (f === 4 ? this.resolver.resolve4(name) : this.resolver.resolve6(name)),
      (e) => explain(e, name, this.timeoutMs, this.tries),
    );
  }

  async reverse(address: string): Promise<string[]> {
    try {
      return (await this.resolver.reverse(address)).map(stripDot);
    } catch (err) {
      if (NO_ANSWER.has((err as NodeJS.ErrnoException).code ?? '')) return [];
      throw explain(err, address, this.timeoutMs, this.tries);
    }
  }
}

type LookupAll = (name: string, options: { all: true; family: 0 | 4 | 6 }) => Promise<dns.LookupAddress[]>;
type LookupService = (address: string, port: number) => Promise<{ hostname: string; service: string }>;

export interface SystemResolverDeps {
  lookup?: LookupAll;
  lookupService?: LookupService;
}

/** getaddrinfo cannot be cancelled: the lookup is only no longer waited for (ETIMEDOUT, as c-ares says). */
const timedOut = (what: string) => () => Object.assign(new Error(`${what} timed out`), { code: 'ETIMEDOUT' });

/**
 * The operating system's resolver (getaddrinfo/getnameinfo: hosts file, nsswitch), which is what
 * PortQry uses when no DNS server is given. getaddrinfo cannot be cancelled, so the timeout only
 * stops waiting for it.
 */
export class SystemTargetResolver implements TargetResolver {
  private readonly lookup: LookupAll;
  private readonly lookupService: LookupService;
  private readonly timeoutMs: number;

  constructor(options: Pick<ResolverOptions, 'timeoutMs'> = {}, deps: SystemResolverDeps = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
    this.lookup = deps.lookup ?? ((name, o) => dns.promises.lookup(name, o));
    this.lookupService = deps.lookupService ?? ((a, p) => dns.promises.lookupService(a, p));
  }

  resolve(name: string, family: FamilyChoice): Promise<ResolvedAddress[]> {
    return combineFamilies(
      name,
      family,
      async (f) => {
        const found = await withTimeout(
          this.lookup(name, { all: true, family: f }),
          this.timeoutMs,
          timedOut('lookup'),
        );
        const addrs = found.filter((a) => a.family === f).map((a) => a.address);
        if (addrs.length === 0) throw Object.assign(new Error('no records'), { code: 'ENODATA' });
        return addrs;
      },
      (e) => explain(e, name, this.timeoutMs, 1),
    );
  }

  async reverse(address: string): Promise<string[]> {
    try {
      const { hostname } = await withTimeout(
        this.lookupService(address, 0),
        this.timeoutMs,
        timedOut('reverse lookup'),
      );
      // getnameinfo falls back to the numeric form when there is no name; that is not a PTR name.
      return hostname && canonicalIp(hostname) === undefined ? [stripDot(hostname)] : [];
    } catch (err) {
      if (NO_ANSWER.has((err as NodeJS.ErrnoException).code ?? '')) return [];
      throw explain(err, address, this.timeoutMs, 1);
    }
  }
}

/** `--dns-server` given → query those servers; otherwise the system resolver (hosts file included). */
export function createTargetResolver(options: ResolverOptions = {}): TargetResolver {
  return options.dnsServers && options.dnsServers.length > 0
    ? new DnsTargetResolver(options)
    : new SystemTargetResolver(options);
}
