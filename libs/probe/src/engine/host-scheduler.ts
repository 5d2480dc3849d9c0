import type { SubnetPacer } from './subnet-pacer.js';

/** What the scheduler needs of a host. */
export interface SchedulableHost {
  readonly subnet: string;
  /** Work in flight against the host (kept by the scheduler). */
  inflight: number;
  /** Whether the host has a probe left to start. */
  readonly pending: boolean;
}

/** The caps in force now (a native SYN batch borrows part of the scan's limits while it runs). */
export interface HostCaps<H> {
  /** Probes in flight at once over all hosts. */
  concurrency(): number;
  /** Probes in flight at once against `host`. */
  perHost(host: H): number;
}

/**
 * Decides which host gets the next probe: the active hosts are served round-robin, one probe each in
 * turn, which spreads load and lets every host's round-trip estimate settle early. A host gets a probe
 * while it has one left, is under its per-host cap, and its subnet is under its pacing allowance of both
 * caps (SubnetPacer); filling stops when the scan's concurrency is used or no host can take one.
 */
export class HostScheduler<H extends SchedulableHost> {
  /** Work in flight over all hosts: probes and UDP rechecks. */
  inflight = 0;
  private readonly hosts: H[] = [];
  private ring = 0;
  private filling = false;

  constructor(
    private readonly pacer: SubnetPacer,
    private readonly caps: HostCaps<H>,
    /** Starts `host`'s next probe; called after begin(host). */
    private readonly start: (host: H) => void,
  ) {}

  /** Hosts being worked on. */
  get size(): number {
    return this.hosts.length;
  }

  add(host: H): void {
    this.hosts.push(host);
  }

  remove(host: H): void {
    const i = this.hosts.indexOf(host);
    if (i >= 0) this.hosts.splice(i, 1);
  }

  clear(): void {
    this.hosts.length = 0;
  }

  /** A probe of `host` starts: it counts against the caps and its subnet's pacing. */
  begin(host: H): void {
    host.inflight++;
    this.inflight++;
    this.pacer.begin(host.subnet);
  }

  end(host: H): void {
    host.inflight--;
    this.inflight--;
    this.pacer.end(host.subnet);
  }

  /** Work on `host` that counts against the concurrency but is not a paced probe (a UDP recheck). */
  hold(host: H): void {
    host.inflight++;
    this.inflight++;
  }

  release(host: H): void {
    host.inflight--;
    this.inflight--;
  }

  /** Starts as many probes as the caps allow. */
  fill(): void {
    // A probe that settles synchronously (a local error) must not recurse into the running loop.
    if (this.filling) return;
    this.filling = true;
    try {
      const { hosts, pacer } = this;
      const concurrency = this.caps.concurrency();
      let idleTurns = 0;
      while (this.inflight < concurrency && hosts.length > 0 && idleTurns < hosts.length) {
        this.ring %= hosts.length;
        const host = hosts[this.ring]!;
        this.ring++;
        const { subnet } = host;
        if (
          host.pending &&
          host.inflight < pacer.allowance(subnet, this.caps.perHost(host)) &&
          pacer.inflight(subnet) < pacer.allowance(subnet, concurrency)
        ) {
          this.begin(host);
          this.start(host);
          idleTurns = 0;
        } else idleTurns++;
      }
    } finally {
      this.filling = false;
    }
  }
}
