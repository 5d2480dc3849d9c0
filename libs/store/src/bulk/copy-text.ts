import type { HostCoverage, PortRange } from '@fleetqry/contracts';

/**
 * Postgres COPY text format: one line per row, tab-separated, `\N` for null, and backslash, tab, newline and
 * carriage return escaped in values. Objects are written as JSON (for jsonb columns).
 */
export function copyLine(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += '\t';
    line += copyField(values[i]);
  }
  return line + '\n';
}

const SPECIAL = /[\\\t\n\r]/;

function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const text = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
  return SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, escapeChar) : text;
}

function escapeChar(c: string): string {
  return c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r';
}

/** A text[] literal (`{"a","b"}`), every element quoted. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** An int4multirange literal from inclusive ranges: [[1,16],[20,20]] → `{[1,17),[20,21)}`. */
export function multirange(ranges: readonly PortRange[]): string {
  return `{${ranges.map(([a, b]) => `[${a},${b + 1})`).join(',')}}`;
}

/** An int4multirange's text back as inclusive ranges (`{[1,17),[20,21)}` → [[1,16],[20,20]]). */
export function parseMultirange(text: string): HostCoverage['closed'] {
  const out: HostCoverage['closed'] = [];
  for (const m of text.matchAll(/([[(])(\d+),(\d+)([\])])/g)) {
    const first = Number(m[2]) + (m[1] === '(' ? 1 : 0);
    const last = Number(m[3]) - (m[4] === ')' ? 1 : 0);
    if (first <= last) out.push([first, last]);
  }
  return out;
}
