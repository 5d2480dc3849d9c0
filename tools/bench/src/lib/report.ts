// summary.md / summary.json writers.
import fs from 'node:fs';
import path from 'node:path';

import type { RunTiming } from './exec.js';
import type { BenchResult, ToolResult } from './suite.js';

export interface SuiteReport {
  startedAt: string;
  finishedAt: string;
  runs: number;
  environment: Record<string, string | number>;
  loadavgAtStart: string;
  egress: { before: number | null; after: number | null };
  fleetqry: {
    commit: string;
    dirty: boolean;
    distBuiltAt: string;
    newestSourceAt: string;
    extraArgs: string[];
  };
  groundTruth: string;
  rawDir: string;
  results: BenchResult[];
}

const s2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const mb = (kb: number) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');
const runsList = (t: readonly RunTiming[]) => t.map((x) => s2(x.wall)).join(' / ');

function worstScore(t: ToolResult) {
  return t.scores.reduce(
    (w, s) => (s.agree / (s.total || 1) < w.agree / (w.total || 1) ? s : w),
    t.scores[0]!,
  );
}

function mismatchUnion(t: ToolResult, max = 40): string[] {
  const seen = new Map<string, number>();
  for (const s of t.scores) for (const m of s.mismatches) seen.set(m, (seen.get(m) ?? 0) + 1);
  const lines = [...seen].map(([m, n]) => `  * ${m} (${n}/${t.scores.length} runs)`);
  return lines.length > max
    ? [...lines.slice(0, max), `  * … ${lines.length - max} more (see summary.json)`]
    : lines;
}

function toolSection(name: string, t: ToolResult): string[] {
  const out = [
    `**${name}** — \`${t.command}\``,
    '',
    '| run | wall s | user s | sys s | CPU % | max RSS | load avg (1 min) at start | exit | accuracy |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  t.timings.forEach((x, i) => {
    const exit = x.timedOut ? `TIMED OUT (${x.exit})` : String(x.exit);
    out.push(
      `| ${i + 1} | ${s2(x.wall)} | ${s2(x.user)} | ${s2(x.sys)} | ${x.cpuPct} | ${mb(x.maxRssKb)} | ${x.loadavg1} | ${exit} | ${t.scores[i]?.line ?? ''} |`,
    );
  });
  out.push(`| median | ${s2(t.medianWall)} | | | ${t.medianCpuPct} | ${mb(t.medianRssKb)} | | | |`, '');
  const mm = mismatchUnion(t);
  if (mm.length) out.push('Mismatches against ground truth:', '', ...mm, '');
  return out;
}

function renderMarkdown(r: SuiteReport): string {
  const out: string[] = [
    `# fleetqry benchmarks, ${r.startedAt}`,
    '',
    `Every run of both tools is scored against the lab's ground truth (${r.groundTruth}). ` +
      `RUNS=${r.runs}; time = median wall clock; ratio = reference median / fleetqry median (> 1: fleetqry faster). ` +
      'fleetqry and the reference alternate which goes first from one run to the next.',
    '',
    `* Machine: ${r.environment.cpus} CPUs, kernel ${r.environment.kernel}, node ${r.environment.node}, ${r.environment.nmap}`,
    `* **Load average at start: ${r.loadavgAtStart}** (shared machine; other work may have been running)`,
    `* fleetqry: commit ${r.fleetqry.commit}${r.fleetqry.dirty ? ' + uncommitted changes' : ''}; CLI dist built ${r.fleetqry.distBuiltAt}; newest source file ${r.fleetqry.newestSourceAt}` +
      (r.fleetqry.extraArgs.length ? `; extra args ${r.fleetqry.extraArgs.join(' ')}` : '; default options'),
    `* Egress audit (lab nft counter of packets from 127/8 to non-127 destinations): before ${r.egress.before ?? 'n/a'}, after ${r.egress.after ?? 'n/a'}`,
    `* Raw per-run files (scanner output, time -v, nmap XML, target lists): ${r.rawDir}`,
    `* Finished ${r.finishedAt}`,
    '',
    '## Summary',
    '',
    '| benchmark | fleetqry median s (runs) | reference median s (runs) | ratio | goal | fleetqry accuracy, worst run | reference accuracy, worst run | fleetqry max RSS (median) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const b of r.results) {
    out.push(
      `| ${b.id}: ${b.title} | ${s2(b.fleetqry.medianWall)} (${runsList(b.fleetqry.timings)}) | ` +
        `${s2(b.reference.medianWall)} (${runsList(b.reference.timings)}) | ${s2(b.ratio)}x | ` +
        `${b.verdict.met ? 'MET' : 'NOT MET'} | ${worstScore(b.fleetqry)?.line ?? ''} | ${worstScore(b.reference)?.line ?? ''} | ${mb(b.fleetqry.medianRssKb)} |`,
    );
  }
  out.push('');
  for (const b of r.results) {
    out.push(
      `## ${b.id}: ${b.title}`,
      '',
      `Goal: ${b.goal}. **${b.verdict.met ? 'MET' : 'NOT MET'}**` +
        (b.verdict.reasons.length ? ` (${b.verdict.reasons.join('; ')})` : '') +
        `. Ratio ${s2(b.ratio)}x; load average at start of this benchmark ${b.loadavgAtStart}.`,
      '',
      ...b.notes.map((n) => (n.startsWith('*') ? n : `${n}`)),
      '',
      ...toolSection('fleetqry', b.fleetqry),
      ...toolSection('reference', b.reference),
      ...(b.extra.length ? [...b.extra, ''] : []),
    );
  }
  return out.join('\n');
}

export function writeReport(dir: string, resultsRoot: string, r: SuiteReport): string {
  const md = renderMarkdown(r);
  fs.writeFileSync(path.join(dir, 'summary.md'), md);
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(r, null, 2) + '\n');
  // latest.md only for runs kept under tools/bench/results (not for OUT=/tmp/… trials)
  const rel = path.relative(resultsRoot, dir);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) {
    const note = `\n\n(copy of tools/bench/results/${rel}/summary.md)`;
    fs.writeFileSync(
      path.join(resultsRoot, 'latest.md'),
      md.replace(/^# .*/, (h) => h + note),
    );
  }
  return md;
}
