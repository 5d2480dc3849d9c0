import type { IpFamily } from '@fleetqry/contracts';

import { TargetResolutionError, type TargetSource } from './errors.js';
import { expandTargets, type ExpandedTarget } from './expand.js';
import type { FamilyChoice, TargetResolver } from './resolver.js';
import type { TargetSpec } from './spec.js';

/** A host ready to probe. */
export interface ResolvedTarget {
  /** Name as given, or the PTR name of a literal, or the address (no name / `-nr`). */
  host: string;
  address: string;
  family: IpFamily;
  /** The token the host came from (`10.0.0.0/24`, `dc1.corp`, …). */
  given: string;
  source?: TargetSource;
  /** Only for literals when reverse lookup ran; PortQry prints "Failed to resolve IP address to name". */
  reverseLookup?: 'resolved' | 'not-found' | 'failed';
  /** Ports never probed on this host (an inventory host's own exclusions), as ranges per protocol. */
  exclude?: { tcp: readonly (readonly [number, number])[]; udp: readonly (readonly [number, number])[] };
}

/** Per-target result of resolution; failures are data, so one bad name never stops a sweep. */
export type TargetOutcome =
  | { ok: true; target: ResolvedTarget }
  | { ok: false; given: string; host: string; source?: TargetSource; error: Error };

export interface ResolveTargetsOptions {
  resolver: TargetResolver;
  /** Families a hostname may resolve to (literals are used as written). Default `any`, IPv4 first. */
  family?: FamilyChoice;
  /** PortQry `-nr`: no PTR lookups. */
  noReverse?: boolean;
  /** Lookups in flight at once; output order is still input order. Default 16. */
  concurrency?: number;
}

async function resolveOne(target: ExpandedTarget, options: ResolveTargetsOptions): Promise<TargetOutcome> {
  const { spec } = target;
  const base = { given: spec.given, ...(spec.source ? { source: spec.source } : {}) };
  if (target.kind === 'hostname') {
    try {
      // PortQry probes the first address a name resolves to; so do we (IPv4 first for `any`).
      const [first] = await options.resolver.resolve(target.name, options.family ?? 'any');
      if (!first)
        throw new TargetResolutionError(target.name, 'no address records of the requested family', 'ENODATA');
      return {
        ok: true,
        target: { ...base, host: spec.given, address: first.address, family: first.family },
      };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return { ok: false, ...base, host: spec.given, error };
    }
  }
  const literal = { ...base, address: target.address, family: target.family };
  if (options.noReverse) return { ok: true, target: { ...literal, host: target.address } };
  try {
    const [name] = await options.resolver.reverse(target.address);
    return name
      ? { ok: true, target: { ...literal, host: name, reverseLookup: 'resolved' } }
      : { ok: true, target: { ...literal, host: target.address, reverseLookup: 'not-found' } };
  } catch {
    // A failed PTR lookup is not a reason to skip the host; PortQry goes on with the address.
    return { ok: true, target: { ...literal, host: target.address, reverseLookup: 'failed' } };
  }
}

/**
 * Resolve a stream of targets with bounded concurrency, preserving order. Pulls from the expansion
 * only as the consumer pulls, so a /16 never sits in memory.
 */
export async function* resolveTargets(
  specs: Iterable<TargetSpec>,
  options: ResolveTargetsOptions,
): AsyncGenerator<TargetOutcome, void, undefined> {
  const limit = Math.max(1, options.concurrency ?? 16);
  const window: Promise<TargetOutcome>[] = [];
  for (const target of expandTargets(specs)) {
    // resolveOne never rejects, so promises waiting in the window cannot become unhandled rejections.
    window.push(resolveOne(target, options));
    if (window.length >= limit) yield await window.shift()!;
  }
  while (window.length > 0) yield await window.shift()!;
}
