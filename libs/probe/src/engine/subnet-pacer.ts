/** A subnet's window after a detected drop, as a fraction of before (nmap halves its window). */
export const PACE_CUT = 0.9;
/** The window never falls below this fraction of its start (nmap's may fall to one probe). */
export const PACE_FLOOR = 0.5;

interface SubnetWindow {
  inflight: number;
  /** Fraction of the scan's caps this subnet may use now, PACE_FLOOR..1. */
  share: number;
  nextCutAt: number;
}

/** The /24 of an IPv4 address, the /64 of a full IPv6 one (a compressed one stands for itself). */
export function subnetOf(address: string): string {
  if (!address.includes(':')) return address.slice(0, address.lastIndexOf('.'));
  return address.includes('::') ? address : address.split(':', 4).join(':');
}

/**
 * Loss-aware pacing of the connect path, per subnet (the SYN engine does the same in C): an answer that
 * needed a retransmission means the path dropped a packet, and narrows the subnet's share of the
 * scan's caps (in flight overall and per host) by PACE_CUT, at most once per timeout; answers to first
 * attempts widen it again. Far gentler than nmap's congestion control, so a lossy network costs time
 * in proportion, not a collapse to a crawl.
 */
export class SubnetPacer {
  private readonly subnets = new Map<string, SubnetWindow>();

  /** `cap`: probes in flight over the whole scan on a clean path (the window of a subnet at full share). */
  constructor(private readonly cap: number) {}

  /** How many probes a subnet may have in flight now, of `cap` on a clean path. */
  allowance(subnet: string, cap: number): number {
    const w = this.subnets.get(subnet);
    return w ? Math.max(1, Math.floor(cap * w.share)) : cap;
  }

  inflight(subnet: string): number {
    return this.subnets.get(subnet)?.inflight ?? 0;
  }

  begin(subnet: string): void {
    const w = this.subnets.get(subnet);
    if (w) w.inflight++;
    else this.subnets.set(subnet, { inflight: 1, share: 1, nextCutAt: 0 });
  }

  end(subnet: string): void {
    const w = this.subnets.get(subnet);
    if (!w) return;
    w.inflight--;
    // Forget idle subnets at full share, so memory follows the hosts in flight, not the sweep.
    if (w.inflight <= 0 && w.share >= 1) this.subnets.delete(subnet);
  }

  /** An answer from `address`; `resent`: it took a retransmission. `timeoutMs`: the host's current wait. */
  answered(address: string, resent: boolean, timeoutMs: number): void {
    const w = this.subnets.get(subnetOf(address));
    if (!w) return;
    if (!resent) {
      // Additive increase, as TCP's congestion avoidance: one probe more per window's worth of answers.
      if (w.share < 1) w.share = Math.min(1, w.share + 1 / (this.cap * this.cap * w.share));
      return;
    }
    const now = performance.now();
    if (now < w.nextCutAt) return;
    w.share = Math.max(PACE_FLOOR, w.share * PACE_CUT);
    w.nextCutAt = now + timeoutMs;
  }
}
