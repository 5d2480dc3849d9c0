/** Where a token came from, so errors in target files can point at file:line. */
export interface TargetSource {
  file: string;
  line: number;
}

/** A target token that is not a strict address, CIDR, range or RFC 1123 hostname. */
export class TargetParseError extends Error {
  override readonly name = 'TargetParseError';
  constructor(
    readonly token: string,
    readonly reason: string,
    readonly source?: TargetSource,
  ) {
    super(`${source ? `${source.file}:${source.line}: ` : ''}invalid target "${token}": ${reason}`);
  }
}

/** The request expands to more hosts than the configured limit; raised before any probing. */
export class TooManyHostsError extends Error {
  override readonly name = 'TooManyHostsError';
  constructor(
    readonly hosts: bigint,
    readonly maxHosts: bigint,
  ) {
    super(
      `targets expand to ${hosts} hosts, more than the maximum of ${maxHosts} hosts per request (maxHosts)`,
    );
  }
}

/** A hostname did not resolve; reported per target, never thrown out of a sweep. */
export class TargetResolutionError extends Error {
  override readonly name = 'TargetResolutionError';
  constructor(
    readonly target: string,
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`cannot resolve "${target}": ${reason}`);
  }
}

/** A `--dns-server` value that is not `address` or `address:port` (`[v6]:port`). */
export class DnsServerParseError extends Error {
  override readonly name = 'DnsServerParseError';
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`invalid DNS server "${value}": ${reason}`);
  }
}
