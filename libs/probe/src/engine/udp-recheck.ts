/**
 * Linux rate-limits ICMP port unreachable per destination (a burst of 6, then one per
 * net.ipv4.icmp_ratelimit = 1 s), and routers and other systems have limits of their own. A closed UDP
 * port probed past that budget is silent, exactly like a filtered one. (Loopback is exempt, so a lab
 * on 127/8 never shows it.) nmap slows down until its retransmissions stop being needed; fleetqry
 * keeps its pace and rechecks, per host, only the UDP ports that stayed silent, and only on a host
 * that has shown it sends ICMP (some port of it was refused):
 *
 * Each round sends one datagram to every still-silent port, then one to a port known to be closed (the
 * canary). The path is in order, so the silent ports' datagrams reach the host before the canary's: if
 * the canary is refused, the host still had ICMP budget for every datagram before it, and a port still
 * silent was not refused in that round. On a lossy path its datagram or its ICMP may have been dropped,
 * so its silence is final only after as many such proven rounds as the scan's loss calls for (the TCP
 * attempts' rule, LossMonitor; the rounds' own outcomes are evidence for it too). A silent canary means
 * the budget ran out; the round repeats after the host's refill interval, within a time budget per host.
 * Ports refused in a round are NOT LISTENING; ports left undecided when the budget ends keep their
 * silent state.
 *
 * A host that sent no ICMP during the scan may still have closed ports: a scan's burst drains the
 * budget of a host (or of a whole machine: Linux's global icmp_msgs_per_sec, which loopback obeys too)
 * before its first refusal. Such a host's silent ports get blind rounds, PortQry-style resends spaced by
 * the refill interval, as many as the TCP attempts' rule asks, once some host of the scan has refused a
 * port (udp-hold.ts; a scan without any ICMP has no closed port to find); the first port refused
 * becomes the host's canary and proven rounds follow. Every recheck datagram of the scan is paced
 * (ctx.recheckPace), so the rechecks of many hosts at once do not drain a global budget themselves.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Observation } from '@fleetqry/contracts';

import type { EngineContext } from './engine-context.js';
import type { ProbeTarget } from './port-probe.js';
import type { StateResult } from './tcp-probe.js';
import { probeUdpState } from './udp-probe.js';

export interface RecheckOptions {
  /** Wait between rounds when the host's ICMP budget ran out (Linux refills one per second). */
  refillMs: number;
  /** Time one host's rechecks may take in all. */
  budgetMs: number;
  /** Silent ports rechecked in one round (bounds the sockets open at once). */
  perRound: number;
  signal?: AbortSignal;
}

/** A UDP port whose silence could be a closed port whose ICMP was rate-limited away. */
export function silentUdp(o: Observation): boolean {
  return (
    o.proto === 'udp' &&
    o.reason === 'no-response' &&
    (o.state === 'LISTENING or FILTERED' || o.state === 'FILTERED')
  );
}

/** Waits `ms`, or less if the scan is aborted. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}

/** Rechecks the host's silent UDP observations in place (see the header). */
export async function recheckSilentUdp(
  ctx: EngineContext,
  target: ProbeTarget,
  observations: Observation[],
  opts: RecheckOptions,
): Promise<void> {
  const { address, family } = target;
  const deadline = performance.now() + opts.budgetMs;
  const pace = ctx.recheckPace;
  let pending = observations.filter(silentUdp);
  /** Per port, the rounds it stayed silent while the canary proved the host had ICMP budget. */
  const proven = new Map<Observation, number>();
  /** Rounds sent while the host had no canary. */
  let blind = 0;
  while (pending.length > 0 && !opts.signal?.aborted && performance.now() < deadline) {
    const canary = ctx.icmp.canary(address);
    if (canary === undefined && blind >= ctx.loss.requiredAttempts()) return;
    if (canary === undefined) blind++;
    const batch = pending.slice(0, opts.perRound);
    const rest = pending.slice(opts.perRound);
    const roundStart = performance.now();
    const round = new AbortController();
    const roundSignal = opts.signal ? AbortSignal.any([opts.signal, round.signal]) : round.signal;
    setMaxListeners(0, roundSignal); // one listener per port of the round
    const sent: Promise<void>[] = [];
    const outcomes = batch.map((o) => {
      let markSent!: () => void;
      sent.push(new Promise<void>((r) => (markSent = r)));
      // A local send error leaves the port as it was.
      return probeUdpState(ctx, address, family, o.port, {
        attempts: 1,
        signal: roundSignal,
        pace,
        onSent: markSent,
      }).catch((): StateResult => ({ state: 'LISTENING or FILTERED', reason: 'no-response' }));
    });
    let budgetLeft = false;
    if (canary !== undefined) {
      // Only once every silent port's datagram has left may the canary follow it.
      await Promise.race([Promise.all(sent), Promise.all(outcomes)]);
      const c = await probeUdpState(ctx, address, family, canary, {
        attempts: 1,
        signal: opts.signal,
        pace,
      }).catch(() => undefined);
      budgetLeft = c?.state === 'NOT LISTENING';
      // The silent ports' ICMP, if any, arrived before the canary's; once the I/O already delivered has
      // been handled, the round is over.
      if (budgetLeft) await pause(5).then(() => round.abort());
    }
    // A blind round waits for each port's own timeout.
    const results = await Promise.all(outcomes);

    const still: Observation[] = [];
    batch.forEach((o, i) => {
      const r = results[i]!;
      const answered = r.state === 'NOT LISTENING' || r.state === 'LISTENING';
      if (answered && (budgetLeft || canary === undefined))
        ctx.loss.answer(canary === undefined ? blind > 1 : (proven.get(o) ?? 0) > 0);
      if (answered) {
        o.state = r.state;
        o.reason = r.reason;
        if (r.rttMs !== undefined) o.rttMs = Math.round(r.rttMs * 1000) / 1000;
        o.evidence =
          r.state === 'NOT LISTENING'
            ? 'ICMP port unreachable to a recheck (the host rate-limits ICMP)'
            : 'a datagram answered a recheck';
      } else still.push(o);
    });
    if (budgetLeft) {
      const need = ctx.loss.requiredAttempts();
      const again = still.filter((o) => {
        const n = (proven.get(o) ?? 0) + 1;
        proven.set(o, n);
        return n < need;
      });
      pending = [...again, ...rest];
      continue;
    }
    pending = [...still, ...rest];
    // The next round once the host has had a refill interval since this round began.
    const next = roundStart + opts.refillMs;
    if (next > deadline) return;
    await pause(next - performance.now(), opts.signal);
  }
}
