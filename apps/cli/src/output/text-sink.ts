import { compareIp, networkQualityLine, type Observation, parseIp } from '@fleetqry/contracts';
import { detailLines, portLine, type ProbeTarget } from '@fleetqry/probe';

import type { ResultSink, RunSummary, TargetFailure, Write } from './sink.js';

interface HostBuffer {
  shown: Observation[];
  hidden: number;
}

/** IPv4 before IPv6, then numerically; the name breaks ties (one address under two names). */
function byAddress(a: { address: string; host: string }, b: { address: string; host: string }): number {
  const pa = parseIp(a.address);
  const pb = parseIp(b.address);
  const order = pa.ok && pb.ok ? compareIp(pa.value, pb.value) : 0;
  if (order !== 0) return order;
  return a.host < b.host ? -1 : a.host > b.host ? 1 : 0;
}

/**
 * Human output, grouped by host in PortQry's wording and ordered by address (hosts finish in any
 * order, so their blocks wait for the end; each is a few lines). With many ports per host, NOT
 * LISTENING ports are counted rather than listed (as nmap's "Not shown"), unless showAll. Targets that
 * could not be probed follow the hosts.
 */
export class TextSink implements ResultSink {
  private readonly hosts = new Map<string, HostBuffer>();
  private readonly blocks: Array<{ address: string; host: string; text: string }> = [];
  private readonly failures: string[] = [];

  constructor(
    private readonly write: Write,
    private readonly opts: { showAll: boolean },
  ) {}

  private key(t: { host: string; address: string }): string {
    return `${t.host}\u0000${t.address}`;
  }

  observation(obs: Observation): void {
    const k = this.key(obs);
    let buf = this.hosts.get(k);
    if (!buf) this.hosts.set(k, (buf = { shown: [], hidden: 0 }));
    if (obs.state === 'NOT LISTENING' && !this.opts.showAll) buf.hidden++;
    else buf.shown.push(obs);
  }

  hostDone(target: ProbeTarget): void {
    const k = this.key(target);
    const buf = this.hosts.get(k) ?? { shown: [], hidden: 0 };
    this.hosts.delete(k);
    const title = target.host === target.address ? target.address : `${target.host} (${target.address})`;
    const lines = [`Host ${title}`];
    buf.shown.sort((a, b) => (a.proto === b.proto ? a.port - b.port : a.proto < b.proto ? -1 : 1));
    for (const obs of buf.shown) {
      lines.push(`  ${portLine(obs)}`);
      for (const d of detailLines(obs)) lines.push(`      ${d}`);
    }
    if (buf.hidden) lines.push(`  Not shown: ${buf.hidden} NOT LISTENING port${buf.hidden === 1 ? '' : 's'}`);
    this.blocks.push({ address: target.address, host: target.host, text: `${lines.join('\n')}\n\n` });
  }

  failure(f: TargetFailure): void {
    this.failures.push(`Host ${f.host}: ${f.error}\n\n`);
  }

  end(s: RunSummary): void {
    for (const b of this.blocks.sort(byAddress)) this.write(b.text);
    for (const f of this.failures) this.write(f);
    const states = Object.entries(s.byState)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    const secs = (s.durationMs / 1000).toFixed(2);
    this.write(
      `${s.hosts} host(s), ${s.observations} port(s) probed in ${secs} s: ${states || 'nothing probed'}`,
    );
    this.write(s.failures ? `; ${s.failures} target(s) failed\n` : '\n');
    // Only when something was dropped or stayed silent: a clean run's summary stays one line.
    if (s.network.recovered > 0 || s.network.undecided > 0) this.write(`${networkQualityLine(s.network)}\n`);
  }
}
