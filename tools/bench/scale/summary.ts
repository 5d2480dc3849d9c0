/**
 * Renders every scale benchmark's results (<dir>/*.json, written by writeResult) as <dir>/summary.md: one
 * table of every figure next to its goal, then each bench's raw figures.
 *
 *   npx tsx tools/bench/scale/summary.ts <results dir>
 */
import fs from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';

import { codeState, codeStateLine } from '../src/lib/code-state.js';
import type { Goal } from './lib.js';

const dir = path.resolve(process.argv[2] ?? '');
if (!process.argv[2] || !fs.existsSync(dir)) throw new Error('usage: summary.ts <results dir>');
const results = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({
    name: f.replace(/\.json$/, ''),
    data: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')),
  }));

const lines = [
  `# Scale benchmarks (issue 10) — ${path.basename(dir)}`,
  '',
  `${codeStateLine(codeState())}, ${cpus().length} CPUs.`,
  '',
  '| bench | item | figure | goal | |',
  '|---|---|---|---|---|',
];
for (const r of results)
  for (const g of (r.data.goals ?? []) as Goal[])
    lines.push(`| ${r.name} | ${g.item} | ${g.figure} | ${g.goal} | ${g.met ? 'met' : '**MISSED**'} |`);
for (const r of results) {
  const { goals: _g, ...rest } = r.data as Record<string, unknown>;
  lines.push('', `## ${r.name}`, '', '```json', JSON.stringify(rest, null, 2), '```');
}
fs.writeFileSync(path.join(dir, 'summary.md'), lines.join('\n') + '\n');
console.log(path.join(dir, 'summary.md'));
