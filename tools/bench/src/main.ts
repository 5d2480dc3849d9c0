// fleetqry benchmark suite: `npx tsx tools/bench/src/main.ts [tcp] [udp] [snmp] [banners]` (default: all).
// Normally started through tools/bench/run-all.sh (npm run bench), which checks the lab first.
// Env: RUNS (3), LIMIT (600 s per scanner run), LAB_GROUND_TRUTH, LAB_NFT_TABLE, OUT, FLEETQRY_ARGS.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { banners } from './banners.js';
import { codeState } from './lib/code-state.js';
import { tryRun } from './lib/exec.js';
import { writeReport, type SuiteReport } from './lib/report.js';
import { SafetyError } from './lib/safety.js';
import {
  type BenchContext,
  type BenchResult,
  type Benchmark,
  environment,
  runBenchmark,
} from './lib/suite.js';
import { loadTruth } from './lib/truth.js';
import { snmp } from './snmp.js';
import { tcpConnect, tcpSyn } from './tcp.js';
import { udp } from './udp.js';

const ALL: Benchmark[] = [tcpSyn, tcpConnect, udp, snmp, banners];
const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(BENCH_DIR, '../..');

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function egressCount(table: string | undefined): number | null {
  if (!table) return null;
  const [family, name] = table.split(' ');
  const out = tryRun('nft', ['list', 'counter', family!, name!, 'egress_audit']);
  const m = /packets (\d+)/.exec(out);
  return m ? Number(m[1]) : null;
}

function newestMtime(dirs: string[]): number {
  let newest = 0;
  const walk = (d: string, depth: number) => {
    if (depth > 8 || !fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'testdata') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts'))
        newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) walk(d, 0);
  return newest;
}

function fleetqryInfo(extraArgs: string[]): SuiteReport['fleetqry'] {
  const dist = path.join(ROOT, 'apps/cli/dist/main.js');
  if (!fs.existsSync(dist))
    throw new Error('fleetqry is not built (apps/cli/dist/main.js missing): run npm run build');
  const libs = fs.readdirSync(path.join(ROOT, 'libs')).map((l) => path.join(ROOT, 'libs', l, 'src'));
  return {
    ...codeState(),
    distBuiltAt: new Date(fs.statSync(dist).mtimeMs).toISOString(),
    newestSourceAt: new Date(newestMtime([path.join(ROOT, 'apps/cli/src'), ...libs])).toISOString(),
    extraArgs,
  };
}

async function main(argv: string[]): Promise<number> {
  // `tcp` is both TCP pairings (SYN vs nmap -sS, connect vs nmap -sT).
  const wanted = (argv.length ? argv : ALL.map((b) => b.id)).flatMap((id) =>
    id === 'tcp' ? ['tcp-syn', 'tcp-connect'] : [id],
  );
  const benches = wanted.map((id) => {
    const b = ALL.find((x) => x.id === id);
    if (!b) throw new Error(`unknown benchmark ${id} (known: ${ALL.map((x) => x.id).join(', ')})`);
    return b;
  });
  const runs = Number(process.env.RUNS ?? 3);
  const limitSec = Number(process.env.LIMIT ?? 600);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error(`RUNS=${process.env.RUNS}: 1..20`);
  if (!Number.isInteger(limitSec) || limitSec < 5 || limitSec > 3600)
    throw new Error(`LIMIT=${process.env.LIMIT}: 5..3600`);
  const gtFile = process.env.LAB_GROUND_TRUTH ?? '/tmp/fleetqry-lab/ground-truth.json';
  const gt = loadTruth(gtFile);
  // the lab's own fleetqry config (lab.sh up writes it beside the ground truth): loopback scope, 2024 excluded
  const labConfig = process.env.LAB_CONFIG ?? path.join(path.dirname(gtFile), 'fleetqry.config.yaml');
  if (!fs.existsSync(labConfig))
    throw new Error(`no lab fleetqry config at ${labConfig}: bash tools/lab/lab.sh config (or up) writes it`);
  const started = new Date();
  const resultsRoot = path.join(BENCH_DIR, 'results');
  const out = process.env.OUT ?? path.join(resultsRoot, stamp(started));
  // raw outputs (~35 MB for a RUNS=3 suite) go under results/tmp/ (git-ignored) unless OUT is given
  const raw = process.env.OUT ? path.join(out, 'raw') : path.join(resultsRoot, 'tmp', stamp(started));
  fs.mkdirSync(out, { recursive: true });
  fs.mkdirSync(raw, { recursive: true });
  const extraArgs = (process.env.FLEETQRY_ARGS ?? '').split(/\s+/).filter(Boolean);
  // What is measured, read once before anything is written (the results are tracked files too).
  const measured = fleetqryInfo(extraArgs);
  const loadavgAtStart = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const table = process.env.LAB_NFT_TABLE;
  const before = egressCount(table);
  const ctx: BenchContext = {
    root: ROOT,
    out,
    raw,
    gt,
    labConfig,
    runs,
    limitSec,
    fleetqryExtra: extraArgs,
  };
  console.log(
    `results -> ${out} (raw files: ${raw})\nload average at start: ${loadavgAtStart}; RUNS=${runs}`,
  );
  const results: BenchResult[] = [];
  const report = (): SuiteReport => ({
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    runs,
    environment: { ...environment(), nmap: tryRun('nmap', ['--version']).split('\n')[0] ?? 'nmap ?' },
    loadavgAtStart,
    egress: { before, after: egressCount(table) },
    fleetqry: measured,
    groundTruth: gtFile,
    rawDir: path.relative(ROOT, raw),
    results,
  });
  for (const b of benches) {
    results.push(await runBenchmark(b, ctx));
    writeReport(out, resultsRoot, report()); // partial results survive an interrupted suite
  }
  const md = writeReport(out, resultsRoot, report());
  const summary = md.split('\n## ')[1] ?? '';
  console.log(`\n## ${summary}\nfull report: ${path.join(out, 'summary.md')}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof SafetyError ? 3 : 1);
  },
);
