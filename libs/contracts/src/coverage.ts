import { z } from 'zod';

import { MAX_PORT, type PortRange } from './net/port-set.js';
import { ProtoSchema, type Proto, type StateReason } from './port-state.js';

/** A {@link PortRange} on the wire (a plain JSON pair, so stores can keep it as JSON). */
const PortRangeSchema = z
  .tuple([z.number().int().min(0).max(MAX_PORT), z.number().int().min(0).max(MAX_PORT)])
  .refine(([a, b]) => a <= b, 'a port range must not be reversed');
export const PortRangesSchema = z.array(PortRangeSchema);

/**
 * What a run probed on one host and protocol, beyond its informative observations: the ports that answered
 * plainly closed (RST for TCP, ICMP port unreachable for UDP, nothing else observed). A real fleet is mostly
 * closed ports, so sweeps carry and store these as ranges instead of one record each; the closed cells are
 * exactly recoverable (see `expandCoverage` in libs/probe).
 */
export const HostCoverageSchema = z.strictObject({
  host: z.string().min(1),
  address: z.string().min(1),
  proto: ProtoSchema,
  /** Sorted, disjoint, non-adjacent inclusive ranges; may be empty (the host was probed, nothing closed). */
  closed: PortRangesSchema,
  /** When the host's last closed port was observed. */
  observedAt: z.string().datetime(),
});
export type HostCoverage = z.infer<typeof HostCoverageSchema>;

/** The one reason a plainly closed port has, per protocol. */
export const CLOSED_REASON: Readonly<Record<Proto, StateReason>> = {
  tcp: 'conn-refused',
  udp: 'icmp-port-unreachable',
};

/** Number of ports in a list of inclusive ranges. */
export function countPorts(ranges: readonly PortRange[]): number {
  let n = 0;
  for (const [a, b] of ranges) n += b - a + 1;
  return n;
}
