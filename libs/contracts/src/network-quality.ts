import { z } from 'zod';

/**
 * A run's evidence of network quality, so an operator can tell a clean run from one to repeat: TCP
 * retransmissions the probes needed, ports that answered only after one (each a packet the network
 * dropped, or a host slower than its measured timeout), and ports that stayed undecided — no answer to
 * any attempt, so their FILTERED rests on silence alone. On a clean network `recovered` is 0 and
 * `undecided` counts only the ports a firewall really drops.
 */
export const NetworkQualitySchema = z.strictObject({
  retransmissions: z.number().int().nonnegative(),
  recovered: z.number().int().nonnegative(),
  undecided: z.number().int().nonnegative(),
});
export type NetworkQuality = z.infer<typeof NetworkQualitySchema>;

export const NO_NETWORK_EVIDENCE: NetworkQuality = Object.freeze({
  retransmissions: 0,
  recovered: 0,
  undecided: 0,
});

/** One line for people: a clean network shows no recovered ports; many of them say "probe again". */
export function networkQualityLine(n: NetworkQuality): string {
  return (
    `Network: ${n.retransmissions} TCP retransmission(s); ${n.recovered} port(s) answered only after one, ` +
    `${n.undecided} without an answer to any attempt`
  );
}

/** The sum of two reports (chunks or scan threads of one run). */
export function addNetworkQuality(a: NetworkQuality, b: NetworkQuality): NetworkQuality {
  return {
    retransmissions: a.retransmissions + b.retransmissions,
    recovered: a.recovered + b.recovered,
    undecided: a.undecided + b.undecided,
  };
}
