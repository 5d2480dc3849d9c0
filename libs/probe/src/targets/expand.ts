import { formatIp, type IpFamily } from '@fleetqry/contracts';

import { TooManyHostsError } from './errors.js';
import { hostCount, type TargetSpec } from './spec.js';

/** One host of the request before name resolution. */
export type ExpandedTarget =
  | { kind: 'address'; address: string; family: IpFamily; spec: TargetSpec }
  | { kind: 'hostname'; name: string; spec: TargetSpec };

/**
 * Upper bound of hosts in the request, by arithmetic (a /8 costs nothing). Overlapping tokens are
 * counted twice and a hostname counts as one host (we probe its first address, like PortQry).
 */
export function countHosts(specs: Iterable<TargetSpec>): bigint {
  let total = 0n;
  for (const spec of specs) total += hostCount(spec);
  return total;
}

/** Throws TooManyHostsError (naming the limit) when the request is too large; returns the count. */
export function assertMaxHosts(specs: Iterable<TargetSpec>, maxHosts: number | bigint): bigint {
  const hosts = countHosts(specs);
  const max = BigInt(maxHosts);
  if (hosts > max) throw new TooManyHostsError(hosts, max);
  return hosts;
}

/**
 * Hosts in token order, one at a time. CIDRs include their network and broadcast addresses (nmap
 * does the same: on /31, /32 and routed blocks they are real hosts, and a compliance sweep should
 * not silently skip addresses). Duplicates across tokens are not removed: that would need memory
 * proportional to the request; ingest is idempotent per host/port anyway.
 */
export function* expandTargets(specs: Iterable<TargetSpec>): Generator<ExpandedTarget, void, undefined> {
  for (const spec of specs) {
    if (spec.kind === 'hostname') {
      yield { kind: 'hostname', name: spec.name, spec };
      continue;
    }
    for (let v = spec.first; v <= spec.last; v++) {
      yield { kind: 'address', address: formatIp(spec.family, v), family: spec.family, spec };
    }
  }
}
