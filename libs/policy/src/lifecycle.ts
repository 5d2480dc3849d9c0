import type { Finding, Observation, Proto } from '@fleetqry/contracts';

import { canonicalAddress } from './address.js';
import { compareFindings, toIso } from './evaluate.js';
import { applyWaivers, type Waiver } from './waivers.js';

/** What this run actually looked at: only there can a previous finding be declared resolved. */
export interface Coverage {
  covers(address: string, proto?: Proto, port?: number): boolean;
}

/** Coverage of a run from its observations: every (address, proto, port) that has an observation. */
export function coverageOf(observations: Iterable<Observation>): Coverage {
  const hosts = new Set<string>();
  const ports = new Set<string>();
  for (const o of observations) {
    const address = canonicalAddress(o.address);
    hosts.add(address);
    ports.add(`${address}|${o.proto}/${o.port}`);
  }
  return {
    covers: (address, proto, port) => {
      const a = canonicalAddress(address);
      return proto === undefined || port === undefined ? hosts.has(a) : ports.has(`${a}|${proto}/${port}`);
    },
  };
}

export interface LifecycleResult {
  /** This run's findings (new, persisting, waived) plus the previous run's findings now resolved; sorted. */
  findings: Finding[];
  /**
   * Previous active findings on hosts/ports this run did not probe (host left the inventory, port
   * dropped from the scan, chunk failed). Neither resolved nor persisting: the caller may carry them
   * forward or show them as "not re-checked".
   */
  notRescanned: Finding[];
}

/**
 * Run-to-run status against the previous run of the same scan:
 * - `new`: key not among the previous run's active (non-resolved) findings; firstSeen = now
 *   (a finding that was resolved and comes back is new again);
 * - `persisting`: key present then and now; firstSeen kept from the previous run;
 * - `waived`: an active waiver matches (takes precedence over new/persisting; firstSeen still kept);
 * - `resolved`: previous active finding absent now, *and* this run probed that host's proto/port
 *   (see {@link Coverage}); emitted with the previous evidence, firstSeen and lastSeen (the last time
 *   it was seen). Already-resolved previous findings are not emitted again.
 * With no previous run every current finding is new and nothing is resolved.
 */
export function applyLifecycle(
  current: readonly Finding[],
  previous: readonly Finding[] | undefined,
  waivers: readonly Waiver[],
  now: Date | string,
  coverage: Coverage | Iterable<Observation>,
): LifecycleResult {
  const nowIso = toIso(now);
  const covered = 'covers' in coverage ? coverage : coverageOf(coverage);
  const prevActive = new Map<string, Finding>();
  for (const p of previous ?? []) if (p.status !== 'resolved') prevActive.set(p.key, p);

  const currentKeys = new Set<string>();
  const tracked = current.map((f): Finding => {
    currentKeys.add(f.key);
    const p = prevActive.get(f.key);
    const { waiver: _dropped, ...rest } = f;
    return {
      ...rest,
      status: p ? 'persisting' : 'new',
      firstSeen: p?.firstSeen ?? nowIso,
      lastSeen: nowIso,
    };
  });

  const resolved: Finding[] = [];
  const notRescanned: Finding[] = [];
  for (const p of prevActive.values()) {
    if (currentKeys.has(p.key)) continue;
    if (covered.covers(p.address, p.proto, p.port)) {
      const { waiver: _dropped, ...rest } = p;
      resolved.push({ ...rest, status: 'resolved' });
    } else {
      notRescanned.push(p);
    }
  }

  return {
    findings: [...applyWaivers(tracked, waivers, nowIso), ...resolved].sort(compareFindings),
    notRescanned: notRescanned.sort(compareFindings),
  };
}
