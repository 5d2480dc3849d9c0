import {
  formatIpv4,
  formatIpv6,
  IPV4_MAX,
  V4_MAPPED_FIRST,
  V4_MAPPED_LAST,
  type IpFamily,
} from '@fleetqry/contracts';

/**
 * Scope math happens in one 128-bit space where IPv4 a.b.c.d sits at ::ffff:a.b.c.d. That is where
 * Linux dual-stack sockets deliver IPv4, so `::ffff:10.0.0.1` and `10.0.0.1` are one host to the
 * scope check and cannot be used to walk around a denylist entry.
 */
export interface Interval {
  lo: bigint;
  hi: bigint;
}

export function toUnified(family: IpFamily, lo: bigint, hi: bigint): Interval {
  return family === 4 ? { lo: V4_MAPPED_FIRST + lo, hi: V4_MAPPED_FIRST + hi } : { lo, hi };
}

export function formatUnified(value: bigint): string {
  return value >= V4_MAPPED_FIRST && value <= V4_MAPPED_LAST
    ? formatIpv4(value & IPV4_MAX)
    : formatIpv6(value);
}

/** Sort and coalesce (touching intervals merge too), so containment is a single-interval test. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv.lo <= last.hi + 1n) {
      if (iv.hi > last.hi) last.hi = iv.hi;
    } else {
      out.push({ ...iv });
    }
  }
  return out;
}

/** The first value of [lo, hi] not covered by merged intervals, or undefined when fully covered. */
export function firstUncovered(lo: bigint, hi: bigint, merged: readonly Interval[]): bigint | undefined {
  let cur = lo;
  for (const iv of merged) {
    if (iv.hi < cur) continue;
    if (iv.lo > cur) return cur;
    cur = iv.hi + 1n;
    if (cur > hi) return undefined;
  }
  return cur <= hi ? cur : undefined;
}

export function intersects(a: Interval, b: Interval): boolean {
  return a.lo <= b.hi && b.lo <= a.hi;
}

/** Remove [cut.lo, cut.hi] from iv; 0, 1 or 2 pieces remain. */
export function subtractInterval(iv: Interval, cut: Interval): Interval[] {
  if (!intersects(iv, cut)) return [iv];
  const out: Interval[] = [];
  if (iv.lo < cut.lo) out.push({ lo: iv.lo, hi: cut.lo - 1n });
  if (iv.hi > cut.hi) out.push({ lo: cut.hi + 1n, hi: iv.hi });
  return out;
}
