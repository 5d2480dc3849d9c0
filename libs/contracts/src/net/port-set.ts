export const MAX_PORT = 65535;

/** An inclusive port range `[first, last]`. */
export type PortRange = readonly [first: number, last: number];

/** `1-1024,3389`: each range in the order given, a single port bare. */
export function formatPortRanges(ranges: readonly PortRange[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
}

/**
 * A sorted set of ports stored as disjoint, non-touching ranges: `1-65535` is one pair, not 65535
 * numbers. Immutable; iteration yields ports lazily in ascending order.
 */
export class PortSet implements Iterable<number> {
  private constructor(private readonly spans: readonly PortRange[]) {}

  static readonly EMPTY = new PortSet([]);

  /** Normalises: sorts, merges overlapping and adjacent ranges. Callers validate bounds. */
  static fromRanges(ranges: Iterable<PortRange>): PortSet {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const [lo, hi] of sorted) {
      const last = out[out.length - 1];
      if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
      else out.push([lo, hi]);
    }
    return new PortSet(out);
  }

  /** From single ports in any order, without a range per port (a sweep's closed ports, host by host). */
  static fromPorts(ports: Iterable<number>): PortSet {
    const sorted = [...ports].sort((a, b) => a - b);
    const out: [number, number][] = [];
    for (const p of sorted) {
      const last = out[out.length - 1];
      if (last && p <= last[1] + 1) last[1] = Math.max(last[1], p);
      else out.push([p, p]);
    }
    return new PortSet(out);
  }

  static of(...ports: number[]): PortSet {
    return PortSet.fromPorts(ports);
  }

  get size(): number {
    return this.spans.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
  }

  get isEmpty(): boolean {
    return this.spans.length === 0;
  }

  has(port: number): boolean {
    let lo = 0;
    let hi = this.spans.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.spans[mid]!;
      if (port < a) hi = mid - 1;
      else if (port > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  ranges(): readonly PortRange[] {
    return this.spans;
  }

  union(other: PortSet): PortSet {
    return PortSet.fromRanges([...this.spans, ...other.spans]);
  }

  subtract(other: PortSet): PortSet {
    const out: PortRange[] = [];
    for (const [lo, hi] of this.spans) {
      let cur = lo;
      for (const [a, b] of other.spans) {
        if (b < cur) continue;
        if (a > hi) break;
        if (a > cur) out.push([cur, a - 1]);
        cur = Math.max(cur, b + 1);
        if (cur > hi) break;
      }
      if (cur <= hi) out.push([cur, hi]);
    }
    return new PortSet(out);
  }

  intersect(other: PortSet): PortSet {
    return this.subtract(this.subtract(other));
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const [lo, hi] of this.spans) for (let p = lo; p <= hi; p++) yield p;
  }

  toArray(): number[] {
    return [...this];
  }

  /** Compact form, `1-1024,3389`; parses back with the probe's parsePortSpec and the policy's parsePortList. */
  toString(): string {
    return formatPortRanges(this.spans);
  }

  equals(other: PortSet): boolean {
    return this.toString() === other.toString();
  }
}
