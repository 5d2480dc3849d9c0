// The benchmark runner: each benchmark runs fleetqry and its reference scanner RUNS times on the same lab
// (alternating which goes first, so a load spike does not always hit the same tool), scores every run
// against ground truth and hands back timings and scores for the report.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { loadavg1, timedRun, type RunTiming } from './exec.js';
import { assertLoopbackTargets, assertNoForeignPort } from './safety.js';
import { median } from './score.js';
import type { GroundTruth } from './truth.js';

export interface BenchContext {
  root: string;
  /** where summary.md/json go */
  out: string;
  /** raw per-run files (scanner output, time -v, target lists): big, kept out of git */
  raw: string;
  gt: GroundTruth;
  /** the lab's fleetqry config (`$LAB_STATE/fleetqry.config.yaml`), always passed with --config */
  labConfig: string;
  runs: number;
  limitSec: number;
  /** extra fleetqry arguments from FLEETQRY_ARGS (default none: the benchmark measures defaults) */
  fleetqryExtra: string[];
}

export interface RunFiles {
  run: number;
  dir: string;
  /** stdout of the scanner */
  stdout: string;
  /** extra output file (nmap -oX) */
  xml: string;
}

/** One run's score. `agree`/`total` drive "worst run"; `line` is the human summary. */
export interface Score {
  line: string;
  agree: number;
  total: number;
  metrics: Record<string, number>;
  mismatches: string[];
}

export interface ToolResult {
  label: string;
  command: string;
  timings: RunTiming[];
  scores: Score[];
  medianWall: number;
  medianRssKb: number;
  medianCpuPct: number;
}

interface Verdict {
  met: boolean;
  reasons: string[];
}

interface ToolPlan {
  label: string;
  /** Environment added to the bench's own for this tool's runs. */
  env?: Record<string, string>;
  cmd: (f: RunFiles) => string[];
  score: (f: RunFiles) => Score;
}

interface BenchPlan {
  targets: string[];
  ports: { tcp?: number[]; udp?: number[] };
  /** lines for the report: what is targeted and how states map */
  notes: string[];
  fleetqry: ToolPlan;
  reference: ToolPlan;
  /** extra analysis over all runs (e.g. the UDP cross-tool table) */
  extra?: (fq: RunFiles[], ref: RunFiles[]) => string[];
  verdict: (fq: ToolResult, ref: ToolResult, ratio: number) => Verdict;
}

export interface Benchmark {
  id: string;
  title: string;
  goal: string;
  plan: (ctx: BenchContext) => BenchPlan | Promise<BenchPlan>;
}

export interface BenchResult {
  id: string;
  title: string;
  goal: string;
  notes: string[];
  targets: number;
  fleetqry: ToolResult;
  reference: ToolResult;
  /** reference median / fleetqry median: > 1 means fleetqry is faster */
  ratio: number;
  verdict: Verdict;
  extra: string[];
  loadavgAtStart: number;
}

export function fleetqryBase(ctx: BenchContext): string[] {
  return [
    process.execPath,
    path.join(ctx.root, 'apps/cli/bin/fleetqry.js'),
    'query',
    '--config',
    ctx.labConfig,
    '-nr',
    '--format',
    'jsonl',
    '--no-progress',
    ...ctx.fleetqryExtra,
  ];
}

/** Writes a verified target file (one loopback address a line) and returns its path. */
export function writeTargets(ctx: BenchContext, name: string, targets: readonly string[]): string {
  assertLoopbackTargets(targets, name);
  const file = path.join(ctx.raw, `${name}.hosts.txt`);
  fs.writeFileSync(file, targets.join('\n') + '\n');
  return file;
}

/** Re-reads a target file and checks it again right before a scanner gets it. */
function recheckTargetsFile(file: string): void {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  assertLoopbackTargets(lines, file);
}

function toolResult(label: string, command: string, timings: RunTiming[], scores: Score[]): ToolResult {
  return {
    label,
    command,
    timings,
    scores,
    medianWall: median(timings.map((t) => t.wall)),
    medianRssKb: median(timings.map((t) => t.maxRssKb)),
    medianCpuPct: median(timings.map((t) => t.cpuPct)),
  };
}

export async function runBenchmark(b: Benchmark, ctx: BenchContext): Promise<BenchResult> {
  const dir = path.join(ctx.raw, b.id);
  fs.mkdirSync(dir, { recursive: true });
  const plan = await b.plan(ctx);
  assertLoopbackTargets(plan.targets, b.id);
  if (plan.ports.tcp) assertNoForeignPort(plan.ports.tcp, `${b.id} tcp`);
  if (plan.ports.udp) assertNoForeignPort(plan.ports.udp, `${b.id} udp`);
  const la = loadavg1();
  const tools = { fleetqry: plan.fleetqry, reference: plan.reference } as const;
  const timings: Record<'fleetqry' | 'reference', RunTiming[]> = { fleetqry: [], reference: [] };
  const scores: Record<'fleetqry' | 'reference', Score[]> = { fleetqry: [], reference: [] };
  const files: Record<'fleetqry' | 'reference', RunFiles[]> = { fleetqry: [], reference: [] };
  const commands: Record<'fleetqry' | 'reference', string> = { fleetqry: '', reference: '' };
  for (let r = 1; r <= ctx.runs; r++) {
    const order = r % 2 === 1 ? (['fleetqry', 'reference'] as const) : (['reference', 'fleetqry'] as const);
    for (const which of order) {
      const t = tools[which];
      const f: RunFiles = {
        run: r,
        dir,
        stdout: path.join(dir, `${which}.r${r}.out`),
        xml: path.join(dir, `${which}.r${r}.xml`),
      };
      const cmd = t.cmd(f);
      for (const a of cmd) if (a.endsWith('.hosts.txt')) recheckTargetsFile(a);
      commands[which] = cmd.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
      const timing = await timedRun(cmd, {
        stdout: f.stdout,
        stderr: path.join(dir, `${which}.r${r}.err`),
        timeFile: path.join(dir, `${which}.r${r}.time`),
        limitSec: ctx.limitSec,
        cwd: ctx.root,
        ...(t.env ? { env: t.env } : {}),
      });
      const score = t.score(f);
      timings[which].push(timing);
      scores[which].push(score);
      files[which].push(f);
      const flag = timing.timedOut ? ' TIMED OUT' : timing.exit !== 0 ? ` exit ${timing.exit}` : '';
      console.log(
        `${b.id.padEnd(8)} ${which.padEnd(9)} run ${r}: ${timing.wall.toFixed(2)} s, ` +
          `${(timing.maxRssKb / 1024).toFixed(0)} MB, load ${timing.loadavg1}${flag} | ${score.line}`,
      );
    }
  }
  const fq = toolResult(plan.fleetqry.label, commands.fleetqry, timings.fleetqry, scores.fleetqry);
  const ref = toolResult(plan.reference.label, commands.reference, timings.reference, scores.reference);
  const ratio = ref.medianWall / fq.medianWall;
  return {
    id: b.id,
    title: b.title,
    goal: b.goal,
    notes: plan.notes,
    targets: plan.targets.length,
    fleetqry: fq,
    reference: ref,
    ratio,
    verdict: plan.verdict(fq, ref, ratio),
    extra: plan.extra ? plan.extra(files.fleetqry, files.reference) : [],
    loadavgAtStart: la,
  };
}

export function environment(): Record<string, string | number> {
  return {
    host: os.hostname(),
    cpus: os.cpus().length,
    loadavg: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
    node: process.version,
    kernel: os.release(),
  };
}
