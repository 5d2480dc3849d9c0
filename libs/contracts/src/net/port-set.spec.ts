import fc from 'fast-check';

import { formatPortRanges, MAX_PORT, PortSet, type PortRange } from './port-set.js';

/** The reference: a plain set of numbers. */
function naive(ranges: readonly PortRange[]): Set<number> {
  const out = new Set<number>();
  for (const [lo, hi] of ranges) for (let p = lo; p <= hi; p++) out.add(p);
  return out;
}

const range = fc
  .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 20 }))
  .map(([lo, len]): PortRange => [lo, lo + len]);
const ranges = fc.array(range, { maxLength: 8 });

describe('PortSet', () => {
  it('stores ranges, not ports', () => {
    const all = PortSet.fromRanges([[1, MAX_PORT]]);
    expect(all.ranges()).toEqual([[1, 65535]]);
    expect(all.size).toBe(65535);
    const it = all[Symbol.iterator]();
    expect([it.next().value, it.next().value]).toEqual([1, 2]);
  });

  it('merges overlapping and adjacent ranges, keeps gaps, sorts', () => {
    expect(
      PortSet.fromRanges([
        [20, 30],
        [1, 10],
        [11, 12],
        [14, 14],
        [25, 40],
      ]).ranges(),
    ).toEqual([
      [1, 12],
      [14, 14],
      [20, 40],
    ]);
  });

  it('handles the boundaries 0 and 65535', () => {
    const s = PortSet.of(0, MAX_PORT);
    expect(s.has(0)).toBe(true);
    expect(s.has(MAX_PORT)).toBe(true);
    expect(s.has(1)).toBe(false);
    expect(s.toString()).toBe('0,65535');
    expect(
      PortSet.fromRanges([[0, MAX_PORT]])
        .subtract(s)
        .toString(),
    ).toBe('1-65534');
  });

  it('union, subtract, intersect, has, equality', () => {
    const a = PortSet.fromRanges([
      [1, 10],
      [20, 30],
    ]);
    const b = PortSet.fromRanges([
      [5, 25],
      [11, 11],
    ]);
    expect(a.union(b).toString()).toBe('1-30');
    expect(a.subtract(b).toString()).toBe('1-4,26-30');
    expect(a.intersect(b).toString()).toBe('5-10,20-25');
    expect(a.has(20)).toBe(true);
    expect(a.has(15)).toBe(false);
    expect(PortSet.of(3, 1, 2, 2).equals(PortSet.fromRanges([[1, 3]]))).toBe(true);
    expect(PortSet.EMPTY.isEmpty).toBe(true);
    expect(PortSet.EMPTY.size).toBe(0);
    expect(PortSet.EMPTY.toString()).toBe('');
  });

  it('agrees with a plain set of numbers on every operation', () => {
    fc.assert(
      fc.property(ranges, ranges, fc.integer({ min: 0, max: 230 }), (ra, rb, probe) => {
        const a = PortSet.fromRanges(ra);
        const b = PortSet.fromRanges(rb);
        const na = naive(ra);
        const nb = naive(rb);
        const sorted = (s: Iterable<number>) => [...s].sort((x, y) => x - y);
        expect(a.toArray()).toEqual(sorted(na));
        expect(a.size).toBe(na.size);
        expect(a.has(probe)).toBe(na.has(probe));
        expect(a.union(b).toArray()).toEqual(sorted(new Set([...na, ...nb])));
        expect(a.subtract(b).toArray()).toEqual(sorted([...na].filter((p) => !nb.has(p))));
        expect(a.intersect(b).toArray()).toEqual(sorted([...na].filter((p) => nb.has(p))));
        // Normal form: sorted, disjoint and non-adjacent, so equal sets print alike.
        const spans = a.ranges();
        for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThan(spans[i - 1]![1] + 1);
        expect(a.equals(PortSet.fromRanges(a.ranges()))).toBe(true);
      }),
    );
  });
});

describe('formatPortRanges', () => {
  it('prints ranges in the order given, single ports bare', () => {
    expect(
      formatPortRanges([
        [512, 514],
        [23, 23],
      ]),
    ).toBe('512-514,23');
    expect(formatPortRanges([])).toBe('');
  });
});
