// Per-port state scoring against ground truth, identical for every tool once its states are canonical.
import type { Canon } from './truth.js';

export interface StateScore {
  /** host×port pairs scored */
  total: number;
  agree: number;
  openExpected: number;
  openFound: number;
  /** reported open (LISTENING) where the ground truth says otherwise */
  falseOpen: number;
  filteredExpected: number;
  filteredFound: number;
  missing: number;
  /** first mismatches, "127.30.0.6 tcp/21 want filtered got closed" */
  mismatches: string[];
  mismatchCount: number;
}

const SILENT: ReadonlySet<Canon> = new Set(['filtered', 'open|filtered']);

export function scoreStates(
  cells: Iterable<{ where: string; want: Canon; got: Canon }>,
  maxListed = 25,
): StateScore {
  const s: StateScore = {
    total: 0,
    agree: 0,
    openExpected: 0,
    openFound: 0,
    falseOpen: 0,
    filteredExpected: 0,
    filteredFound: 0,
    missing: 0,
    mismatches: [],
    mismatchCount: 0,
  };
  for (const { where, want, got } of cells) {
    s.total++;
    if (want === 'open') s.openExpected++;
    if (want === 'open' && got === 'open') s.openFound++;
    if (want !== 'open' && got === 'open') s.falseOpen++;
    if (SILENT.has(want)) s.filteredExpected++;
    if (SILENT.has(want) && got === want) s.filteredFound++;
    if (got === 'missing') s.missing++;
    if (got === want) s.agree++;
    else {
      s.mismatchCount++;
      if (s.mismatches.length < maxListed) s.mismatches.push(`${where} want ${want} got ${got}`);
    }
  }
  return s;
}

function pct(a: number, b: number): string {
  return b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(a === b ? 0 : 2)} %`;
}

export function stateLine(s: StateScore): string {
  return (
    `${s.agree}/${s.total} states (${pct(s.agree, s.total)}); open ${s.openFound}/${s.openExpected}, ` +
    `false LISTENING ${s.falseOpen}; filtered ${s.filteredFound}/${s.filteredExpected}` +
    (s.missing ? `; ${s.missing} missing` : '')
  );
}

/** Worst run = fewest agreeing states. */
export function worst<T extends { agree: number }>(xs: readonly T[]): T | undefined {
  return xs.reduce<T | undefined>((w, x) => (w === undefined || x.agree < w.agree ? x : w), undefined);
}

export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}
