import type { Observation } from '@fleetqry/contracts';

import type { EngineContext } from './engine-context.js';
import type { ProbeTarget } from './port-probe.js';
import { recheckSilentUdp, silentUdp, type RecheckOptions } from './udp-recheck.js';

/**
 * Holds each host's silent UDP observations until the host's other probes are done, then rechecks
 * them once the scan has seen ICMP port unreachable from any host (udp-recheck.ts: their silence may be
 * rate-limited ICMP), and only then lets them go. A budget of 0 turns holding off.
 */
export class UdpRecheckHold<H extends object> {
  private readonly held = new Map<H, Observation[]>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly opts: RecheckOptions,
  ) {}

  /** Keeps `observation` of `host` if a recheck may decide it; false: it goes out now. */
  keep(host: H, observation: Observation): boolean {
    if (this.opts.budgetMs <= 0 || !silentUdp(observation)) return false;
    const list = this.held.get(host);
    if (list) list.push(observation);
    else this.held.set(host, [observation]);
    return true;
  }

  /**
   * The host's other probes are done: its held observations go to `emit`, now (undefined) when there is
   * nothing to recheck, else once the recheck is over (the promise). A failed recheck leaves them as
   * they were.
   */
  release(host: H, target: ProbeTarget, emit: (observation: Observation) => void): Promise<void> | undefined {
    const held = this.held.get(host);
    if (!held) return undefined;
    this.held.delete(host);
    const out = () => {
      for (const observation of held) emit(observation);
    };
    // Nothing refused anywhere in the scan: this path delivers no ICMP, so the silence is final.
    if (!this.ctx.icmp.seen || this.opts.signal?.aborted) {
      out();
      return undefined;
    }
    return recheckSilentUdp(this.ctx, target, held, this.opts)
      .catch(() => undefined)
      .then(out);
  }
}
