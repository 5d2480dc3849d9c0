/**
 * Round-trip-time based timeouts, as nmap and TCP do (RFC 6298): srtt + 4·rttvar, clamped.
 * Each host has its own estimate; a host without samples borrows the global one, and with no
 * samples at all the initial timeout applies. A filtered port then costs little on a fast network
 * and stays correct on a slow one.
 */
export interface TimingOptions {
  /** Floor for any timeout (ms). nmap's default floor is 100 ms. */
  minTimeoutMs: number;
  /** Ceiling for any timeout (ms). */
  maxTimeoutMs: number;
  /** Timeout before anything has been measured (ms). */
  initialTimeoutMs: number;
  /** A host's ICMP refill interval, between recheck rounds of silent UDP ports (Linux: 1 s). */
  icmpRefillMs: number;
  /** Time the rechecks of one host's silent UDP ports may take in all; 0 turns them off. */
  udpRecheckBudgetMs: number;
}

export const DEFAULT_TIMING: TimingOptions = {
  minTimeoutMs: 100,
  maxTimeoutMs: 10_000,
  initialTimeoutMs: 1_000,
  icmpRefillMs: 1_000,
  udpRecheckBudgetMs: 60_000,
};

class Estimate {
  srtt = 0;
  rttvar = 0;
  samples = 0;

  add(rtt: number): void {
    if (this.samples === 0) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
      this.srtt = 0.875 * this.srtt + 0.125 * rtt;
    }
    this.samples++;
  }

  timeout(): number {
    return this.srtt + 4 * this.rttvar;
  }
}

export class RttEstimator {
  private readonly global = new Estimate();
  private readonly perHost = new Map<string, Estimate>();
  /** Per host, who wants to hear of new samples (in-flight UDP queries adapting their wait). */
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly timing: Pick<
      TimingOptions,
      'minTimeoutMs' | 'maxTimeoutMs' | 'initialTimeoutMs'
    > = DEFAULT_TIMING,
    /** Multiplier for slow links (PortQry -sl doubles waits). */
    private readonly factor = 1,
  ) {}

  record(host: string, rttMs: number): void {
    this.global.add(rttMs);
    let est = this.perHost.get(host);
    if (!est) this.perHost.set(host, (est = new Estimate()));
    est.add(rttMs);
    const watchers = this.watchers.get(host);
    if (watchers) for (const w of [...watchers]) w();
  }

  /** Calls `listener` after each new sample for `host`; returns the unsubscribe. */
  watch(host: string, listener: () => void): () => void {
    let set = this.watchers.get(host);
    if (!set) this.watchers.set(host, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(host) === set) this.watchers.delete(host);
    };
  }

  /** Timeout for the given host's next wait; `attempt` (0-based) backs off exponentially on retries. */
  timeoutFor(host: string, attempt = 0): number {
    const est = this.perHost.get(host);
    const base = est?.samples
      ? est.timeout()
      : this.global.samples
        ? this.global.timeout()
        : this.timing.initialTimeoutMs;
    const clamped = Math.min(this.timing.maxTimeoutMs, Math.max(this.timing.minTimeoutMs, base));
    return Math.min(this.timing.maxTimeoutMs, clamped * 2 ** attempt) * this.factor;
  }

  /** The host's timeout from its own measurements only, or undefined before any sample. */
  measuredTimeoutFor(host: string): number | undefined {
    return this.perHost.get(host)?.samples ? this.timeoutFor(host) : undefined;
  }

  /** Drops a finished host's estimate so memory stays bounded over a long sweep. */
  forget(host: string): void {
    this.perHost.delete(host);
  }
}
