import { parseIp, V4_MAPPED_FIRST, V4_MAPPED_LAST } from '@fleetqry/contracts';

import { TargetParseError } from '../targets/errors.js';
import { isLiteral, parseTarget, type LiteralTargetSpec, type TargetSpec } from '../targets/spec.js';
import type { ResolvedTarget, TargetOutcome } from '../targets/resolve.js';
import { OutOfScopeError, ScopeConfigError } from './errors.js';
import {
  firstUncovered,
  formatUnified,
  intersects,
  mergeIntervals,
  subtractInterval,
  toUnified,
  type Interval,
} from './intervals.js';

export interface ScopeConfig {
  /** CIDRs (or addresses, ranges) that may be probed. Nothing is in scope unless listed here. */
  allow: readonly string[];
  /** CIDRs never probed, even inside the allowlist (deny wins). */
  deny?: readonly string[];
}

/**
 * A scope list as written in an environment variable (FLEETQRY_SCOPE_ALLOW / _DENY): entries separated by
 * commas or white space. The entries are checked by `new Scope(...)`.
 */
export function parseScopeList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** Used by tests and examples: loopback only. */
export const DEFAULT_SCOPE: ScopeConfig = { allow: ['127.0.0.0/8', '::1/128'], deny: [] };

export type ScopeDecision = { ok: true } | { ok: false; reason: string };

interface Entry {
  text: string;
  intervals: Interval[];
}

const MAPPED: Interval = { lo: V4_MAPPED_FIRST, hi: V4_MAPPED_LAST };

function parseEntry(list: 'allow' | 'deny', text: string): Entry {
  let spec: TargetSpec;
  try {
    spec = parseTarget(text);
  } catch (err) {
    throw new ScopeConfigError(list, text, err instanceof TargetParseError ? err.reason : String(err));
  }
  if (!isLiteral(spec))
    throw new ScopeConfigError(list, text, 'scope entries must be addresses or CIDRs, not hostnames');
  const iv = toUnified(spec.family, spec.first, spec.last);
  // An IPv6 entry such as ::/0 governs IPv6 only; IPv4 is governed by IPv4 entries (or entries
  // written inside ::ffff:0:0/96). Otherwise `allow: ['::/0']` would silently allow all of IPv4.
  const inMapped = spec.family === 6 && iv.lo >= MAPPED.lo && iv.hi <= MAPPED.hi;
  const intervals = spec.family === 6 && !inMapped ? subtractInterval(iv, MAPPED) : [iv];
  return { text: spec.given, intervals };
}

/**
 * The scope allowlist/denylist. Checked at plan time on literal targets (range math, no expansion)
 * and again at probe time on every resolved address, so a hostname resolving outside scope is refused.
 */
export class Scope {
  private readonly allowed: Interval[];
  private readonly denied: Entry[];

  constructor(private readonly config: ScopeConfig) {
    this.allowed = mergeIntervals(config.allow.flatMap((t) => parseEntry('allow', t).intervals));
    this.denied = (config.deny ?? []).map((t) => parseEntry('deny', t));
  }

  get allowlist(): readonly string[] {
    return this.config.allow;
  }

  get denylist(): readonly string[] {
    return this.config.deny ?? [];
  }

  private checkInterval(iv: Interval, single: boolean): ScopeDecision {
    const deny = this.denied.find((e) => e.intervals.some((d) => intersects(d, iv)));
    if (deny)
      return { ok: false, reason: `${single ? 'is in' : 'intersects'} the scope denylist (${deny.text})` };
    const outside = firstUncovered(iv.lo, iv.hi, this.allowed);
    if (outside !== undefined) {
      const list = this.config.allow.join(', ') || 'empty';
      return {
        ok: false,
        reason: single
          ? `is outside the scope allowlist (${list})`
          : `is not entirely inside the scope allowlist (${list}); ${formatUnified(outside)} is outside`,
      };
    }
    return { ok: true };
  }

  /** Check one address (text). Invalid text is refused, never assumed safe. */
  check(address: string): ScopeDecision {
    const parsed = parseIp(address);
    if (!parsed.ok) return { ok: false, reason: `is not a valid address (${parsed.reason})` };
    const { family, value } = parsed.value;
    return this.checkInterval(toUnified(family, value, value), true);
  }

  /** Throws OutOfScopeError naming the address and the target token it came from. */
  assertInScope(address: string, target: string = address): void {
    const decision = this.check(address);
    if (!decision.ok) throw new OutOfScopeError(address, target, decision.reason);
  }

  /**
   * Plan-time check of a parsed target. A CIDR/range must lie entirely inside the allowlist and not
   * touch the denylist. Hostnames pass here; they are checked once resolved.
   */
  checkTarget(spec: TargetSpec): ScopeDecision {
    if (!isLiteral(spec)) return { ok: true };
    return this.checkInterval(toUnified(spec.family, spec.first, spec.last), spec.first === spec.last);
  }

  /** Every literal target that is out of scope, with its reason. */
  violations(specs: Iterable<TargetSpec>): OutOfScopeError[] {
    const out: OutOfScopeError[] = [];
    for (const spec of specs) {
      const d = this.checkTarget(spec);
      if (!d.ok) out.push(new OutOfScopeError((spec as LiteralTargetSpec).given, spec.given, d.reason));
    }
    return out;
  }

  /** Plan-time gate: throws the first violation (its message counts the others). */
  assertTargetsInScope(specs: Iterable<TargetSpec>): void {
    const [first, ...rest] = this.violations(specs);
    if (!first) return;
    if (rest.length === 0) throw first;
    throw new OutOfScopeError(
      first.address,
      first.target,
      `${first.reason} (and ${rest.length} more targets out of scope)`,
    );
  }

  /** Probe-time gate on a resolved target; returns a per-target failure instead of throwing. */
  checkResolved(target: ResolvedTarget): OutOfScopeError | undefined {
    const d = this.check(target.address);
    return d.ok ? undefined : new OutOfScopeError(target.address, target.given, d.reason);
  }
}

/**
 * One check over several scopes that must all allow an address (a job's scope and the probing process's
 * own); returns `<address> <reason>` for the first that refuses, or undefined.
 */
export function scopesCheck(configs: readonly ScopeConfig[]): (address: string) => string | undefined {
  const scopes = configs.map((c) => new Scope(c));
  return (address) => {
    for (const scope of scopes) {
      const d = scope.check(address);
      if (!d.ok) return `${address} ${d.reason}`;
    }
    return undefined;
  };
}

/** Turn resolved targets outside scope into per-target failures, so the sweep reports and skips them. */
export async function* enforceScope(
  outcomes: AsyncIterable<TargetOutcome>,
  scope: Scope,
): AsyncGenerator<TargetOutcome, void, undefined> {
  for await (const outcome of outcomes) {
    if (!outcome.ok) {
      yield outcome;
      continue;
    }
    const error = scope.checkResolved(outcome.target);
    if (!error) {
      yield outcome;
      continue;
    }
    const { given, host, source } = outcome.target;
    yield { ok: false, given, host, ...(source ? { source } : {}), error };
  }
}
