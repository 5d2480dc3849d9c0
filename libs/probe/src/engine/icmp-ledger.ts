/**
 * Per host, the most recent UDP port that answered with ICMP port unreachable in this scan: proof that
 * the host sends ICMP at all, and the canary a recheck of its silent ports uses (udp-recheck.ts).
 */
export class IcmpLedger {
  private readonly lastClosed = new Map<string, number>();
  /** Some host of this scan sent ICMP port unreachable: the path delivers it (kept after `forget`). */
  seen = false;

  record(host: string, port: number): void {
    this.lastClosed.set(host, port);
    this.seen = true;
  }

  /** A UDP port of `host` known to be closed, or undefined when the host never sent ICMP. */
  canary(host: string): number | undefined {
    return this.lastClosed.get(host);
  }

  /** Drops a finished host so memory stays bounded over a long sweep. */
  forget(host: string): void {
    this.lastClosed.delete(host);
  }
}
