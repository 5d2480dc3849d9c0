// Accuracy and speed on a lossy network: fleetqry's SYN engine vs `nmap -sS -T4` and its connect engine vs
// `nmap -sT -T4`, TCP 1-1024 on every host of a lab instance, with LOSSES % of the packets dropped in each
// direction by tools/lab/loss.sh (on that lab's /24 only, removed after every run); then UDP 53,161,389 with
// SNMP communities at each loss against the loss-free run. Started by tools/bench/loss/run.sh.
// Env: LAB_NET, LAB_STATE (the lab instance), RUNS (2), LOSSES (1,5), LIMIT (300 s per scanner run), OUT,
//      PARTS (tcp,udp: which halves to run).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { codeState, codeStateLine } from '../src/lib/code-state.js';
import { timedRun, type RunTiming } from '../src/lib/exec.js';
import { key, readJsonl } from '../src/lib/fleetqry.js';
import { nmapCommand } from '../src/lib/nmap.js';
import { assertLoopbackTargets, FOREIGN_PORT } from '../src/lib/safety.js';
import { median } from '../src/lib/score.js';
import { scoreFleetqryStates, scoreNmapStates } from '../src/lib/states.js';
import { environment } from '../src/lib/suite.js';
import { byAddress, expectedFleetqry, expectedNmap, loadTruth } from '../src/lib/truth.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const LOSS_SH = path.join(ROOT, 'tools/lab/loss.sh');
const LAB_NET = process.env.LAB_NET ?? '';
const LAB_STATE = process.env.LAB_STATE ?? '';
const RUNS = Math.min(5, Math.max(1, Number(process.env.RUNS ?? 2)));
const LIMIT = Number(process.env.LIMIT ?? 300);
const LOSSES = (process.env.LOSSES ?? '1,5').split(',').map(Number);
const PARTS = new Set((process.env.PARTS ?? 'tcp,udp').split(','));
if (!/^127\.\d{1,3}\.\d{1,3}$/.test(LAB_NET) || !LAB_STATE)
  throw new Error('LAB_NET and LAB_STATE must be set');
if (!LOSSES.every((l) => Number.isInteger(l) && l > 0 && l < 50)) throw new Error('LOSSES: percents 1..49');
const CIDR = `${LAB_NET}.0/24`;

const PORTS = Array.from({ length: 1024 }, (_, i) => i + 1).filter((p) => p !== FOREIGN_PORT);
const UDP_PORTS = [53, 161, 389];
const COMMUNITIES = path.join(ROOT, 'tools/bench/communities.txt');

const stampNow = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
const OUT = process.env.OUT ?? path.join(ROOT, 'tools/bench/results', `loss-${stampNow}`);
const RAW = process.env.OUT
  ? path.join(OUT, 'raw')
  : path.join(ROOT, 'tools/bench/results/tmp', `loss-${stampNow}`);
fs.mkdirSync(RAW, { recursive: true });
const code = codeState();

const gt = loadTruth(path.join(LAB_STATE, 'ground-truth.json'));
const hosts = byAddress(gt.hosts);
const targets = hosts.map((h) => h.address);
assertLoopbackTargets(targets, 'loss bench');
if (!targets.every((a) => a.startsWith(`${LAB_NET}.`))) throw new Error(`targets outside ${CIDR}`);
const targetsFile = path.join(RAW, 'hosts.txt');
fs.writeFileSync(targetsFile, `${targets.join('\n')}\n`);
const communities = fs
  .readFileSync(COMMUNITIES, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

const fleetqry = (args: string[]) => [
  process.execPath,
  path.join(ROOT, 'apps/cli/bin/fleetqry.js'),
  'query',
  '--config',
  path.join(ROOT, 'fleetqry.config.yaml'),
  '-nr',
  '--format',
  'jsonl',
  '--no-progress',
  '--targets-file',
  targetsFile,
  ...args,
];
const lossy = (loss: number, cmd: string[]) =>
  loss > 0 ? ['bash', LOSS_SH, 'run', String(loss), CIDR, '--', ...cmd] : cmd;

interface Tool {
  id: 'fq-syn' | 'nmap-sS' | 'fq-connect' | 'nmap-sT';
  label: string;
  cmd: (out: string, xml: string) => string[];
  env?: Record<string, string>;
  fleetqry: boolean;
}
const TOOLS: Tool[] = [
  {
    id: 'fq-syn',
    label: 'fleetqry (SYN engine)',
    cmd: () => fleetqry(['--tcp', '1-1024', '--exclude-ports', String(FOREIGN_PORT), '--no-queries']),
    fleetqry: true,
  },
  {
    id: 'nmap-sS',
    label: 'nmap -sS -T4',
    cmd: (_o, xml) => nmapCommand(['-sS', '-T4'], '1-1024', targetsFile, xml),
    fleetqry: false,
  },
  {
    id: 'fq-connect',
    label: 'fleetqry (connect engine)',
    cmd: () => fleetqry(['--tcp', '1-1024', '--exclude-ports', String(FOREIGN_PORT), '--no-queries']),
    env: { FLEETQRY_TCP_ENGINE: 'connect' },
    fleetqry: true,
  },
  {
    id: 'nmap-sT',
    label: 'nmap -sT -T4',
    cmd: (_o, xml) => nmapCommand(['-sT', '-T4'], '1-1024', targetsFile, xml),
    fleetqry: false,
  },
];

interface TcpRun {
  loss: number;
  run: number;
  tool: Tool['id'];
  timing: RunTiming;
  cells: number;
  /** cells whose state differs from the ground truth */
  errors: number;
  /** LISTENING ports reported as anything else */
  openMissed: number;
  mismatches: string[];
}

const timed = (cmd: string[], base: string, env?: Record<string, string>): Promise<RunTiming> =>
  timedRun(cmd, {
    stdout: `${base}.out`,
    stderr: `${base}.err`,
    timeFile: `${base}.time`,
    limitSec: LIMIT,
    cwd: ROOT,
    ...(env ? { env } : {}),
  });

async function tcpRun(loss: number, run: number, tool: Tool): Promise<TcpRun> {
  const base = path.join(RAW, `tcp-${loss}pct-${tool.id}.r${run}`);
  const xml = `${base}.xml`;
  const timing = await timed(lossy(loss, tool.cmd(`${base}.out`, xml)), base, tool.env);
  const score = tool.fleetqry
    ? scoreFleetqryStates(`${base}.out`, hosts, 'tcp', PORTS, (h, p) => expectedFleetqry(h, 'tcp', p, []))
        .score
    : scoreNmapStates(xml, hosts, 'tcp', PORTS, (h, p) => expectedNmap(h, 'tcp', p));
  const r: TcpRun = {
    loss,
    run,
    tool: tool.id,
    timing,
    cells: score.total,
    errors: score.total - score.agree,
    openMissed: score.openExpected - score.openFound,
    mismatches: score.mismatches.slice(0, 10),
  };
  console.log(
    `loss ${loss}% run ${run} ${tool.label}: ${timing.wall.toFixed(1)} s, ${r.errors} wrong of ${r.cells}, ` +
      `${r.openMissed} LISTENING misreported (load ${timing.loadavg1})`,
  );
  return r;
}

interface UdpRun {
  loss: number;
  run: number;
  timing: RunTiming;
  states: Map<string, string>;
  /** cells whose state differs from the loss-free run's */
  differences: number;
  listed: string[];
}

async function udpRun(loss: number, run: number): Promise<Omit<UdpRun, 'differences' | 'listed'>> {
  const base = path.join(RAW, `udp-${loss}pct.r${run}`);
  const cmd = fleetqry([
    '-p',
    'udp',
    '--udp',
    UDP_PORTS.join(','),
    '--communities-file',
    COMMUNITIES,
    '--dns-server',
    `${LAB_NET}.7`,
  ]);
  const timing = await timed(lossy(loss, cmd), base);
  const { obs } = readJsonl(`${base}.out`);
  const states = new Map<string, string>();
  for (const h of hosts)
    for (const p of UDP_PORTS) {
      const o = obs.get(key(h.address, 'udp', p));
      const snmp = o?.snmp?.communities ? ` [${[...o.snmp.communities].sort().join(',')}]` : '';
      states.set(`${h.address} udp/${p}`, o ? `${o.state}${snmp}` : 'missing');
    }
  console.log(`udp loss ${loss}% run ${run}: ${timing.wall.toFixed(1)} s`);
  return { loss, run, timing, states };
}

const tcp: TcpRun[] = [];
for (const loss of PARTS.has('tcp') ? LOSSES : [])
  for (let run = 1; run <= RUNS; run++) {
    // Alternate the order, so a load spike does not always hit the same tool.
    const order = run % 2 ? TOOLS : [...TOOLS].reverse();
    for (const tool of order) tcp.push(await tcpRun(loss, run, tool));
  }

const udp: UdpRun[] = [];
for (let run = 1; run <= (PARTS.has('udp') ? RUNS : 0); run++) {
  const clean = await udpRun(0, run);
  udp.push({ ...clean, differences: 0, listed: [] });
  // Truth check of the loss-free run itself (PortQry semantics, the communities of the list).
  const truthDiff = hosts.flatMap((h) =>
    UDP_PORTS.filter((p) => {
      const want = expectedFleetqry(h, 'udp', p, communities);
      const got = (clean.states.get(`${h.address} udp/${p}`) ?? '').split(' [')[0];
      const canon = {
        LISTENING: 'open',
        'NOT LISTENING': 'closed',
        FILTERED: 'filtered',
        'LISTENING or FILTERED': 'open|filtered',
      }[got ?? ''];
      return canon !== want;
    }).map((p) => `${h.address} udp/${p}`),
  );
  if (truthDiff.length)
    console.log(
      `udp loss-free run ${run}: ${truthDiff.length} cells differ from the ground truth: ${truthDiff.slice(0, 5).join(', ')}`,
    );
  for (const loss of LOSSES) {
    const r = await udpRun(loss, run);
    const listed: string[] = [];
    for (const [cell, state] of r.states)
      if (clean.states.get(cell) !== state) listed.push(`${cell}: ${clean.states.get(cell)} -> ${state}`);
    udp.push({ ...r, differences: listed.length, listed: listed.slice(0, 10) });
  }
}

// ---------------------------------------------------------------- report
const pairs: Array<[Tool['id'], Tool['id']]> = [
  ['fq-syn', 'nmap-sS'],
  ['fq-connect', 'nmap-sT'],
];
const label = (id: Tool['id']) => TOOLS.find((t) => t.id === id)!.label;
interface Cell {
  loss: number;
  fleetqry: Tool['id'];
  nmap: Tool['id'];
  runs: Array<{ run: number; fq: TcpRun; ref: TcpRun; ratio: number }>;
  met: boolean;
  reasons: string[];
}
const cells: Cell[] = [];
for (const loss of PARTS.has('tcp') ? LOSSES : [])
  for (const [fq, ref] of pairs) {
    const runs = Array.from({ length: RUNS }, (_, i) => {
      const a = tcp.find((r) => r.loss === loss && r.run === i + 1 && r.tool === fq)!;
      const b = tcp.find((r) => r.loss === loss && r.run === i + 1 && r.tool === ref)!;
      return { run: i + 1, fq: a, ref: b, ratio: b.timing.wall / a.timing.wall };
    });
    const reasons: string[] = [];
    for (const r of runs) {
      if (r.fq.errors > r.ref.errors)
        reasons.push(`run ${r.run}: ${r.fq.errors} errors > nmap's ${r.ref.errors}`);
      if (r.fq.openMissed > 0) reasons.push(`run ${r.run}: ${r.fq.openMissed} LISTENING misreported`);
      if (r.ratio < 3) reasons.push(`run ${r.run}: ${r.ratio.toFixed(2)}x < 3x`);
    }
    cells.push({ loss, fleetqry: fq, nmap: ref, runs, met: reasons.length === 0, reasons });
  }
// A verdict needs lossy runs to judge: a part left out (PARTS) is said to be not run, never met.
const udpVerdict = !udp.some((u) => u.loss > 0)
  ? `not run (PARTS=${[...PARTS].join(',')})`
  : udp.every((u) => u.differences === 0)
    ? 'MET (0 differences)'
    : 'NOT MET';

const lines: string[] = [];
lines.push(`# Loss benchmark — ${new Date().toISOString()}`, '');
const env = environment();
lines.push(
  `Lab instance ${LAB_NET}.0/24 (${hosts.length} hosts, ${LAB_STATE}); TCP 1-1024 without ${FOREIGN_PORT}: ` +
    `${hosts.length * PORTS.length} cells per run. Loss per direction: ${LOSSES.join(' %, ')} % ` +
    `(tools/lab/loss.sh: nft numgen random drop on the input hook, to and from the lab's /24). RUNS=${RUNS}.`,
);
lines.push(
  `${codeStateLine(code)}. Machine: ${env.cpus} CPUs, load at start ${env.loadavg}; node ${env.node}.`,
  '',
);
lines.push(
  'Goal per cell: errors ≤ nmap in the same run, 0 LISTENING misreported, ≥ 3× faster than nmap.',
  '',
);
lines.push(
  '| loss | fleetqry | reference | run | fleetqry wall | nmap wall | ratio | fleetqry errors (LISTENING missed) | nmap errors (open missed) |',
);
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const c of cells)
  for (const r of c.runs)
    lines.push(
      `| ${c.loss} % | ${label(c.fleetqry)} | ${label(c.nmap)} | ${r.run} | ${r.fq.timing.wall.toFixed(2)} s | ${r.ref.timing.wall.toFixed(2)} s | ` +
        `${r.ratio.toFixed(2)}× | ${r.fq.errors} (${r.fq.openMissed}) | ${r.ref.errors} (${r.ref.openMissed}) |`,
    );
if (cells.length === 0) lines.push('', `TCP: not run (PARTS=${[...PARTS].join(',')})`);
lines.push('', '| loss | pair | median ratio | verdict |', '|---|---|---|---|');
for (const c of cells)
  lines.push(
    `| ${c.loss} % | ${label(c.fleetqry)} vs ${label(c.nmap)} | ${median(c.runs.map((r) => r.ratio)).toFixed(2)}× | ` +
      `${c.met ? 'MET' : `NOT MET: ${c.reasons.join('; ')}`} |`,
  );
lines.push('', `## UDP ${UDP_PORTS.join(', ')} with the communities of tools/bench/communities.txt`, '');
lines.push('| loss | run | wall | cells differing from the loss-free run |', '|---|---|---|---|');
for (const u of udp)
  lines.push(
    `| ${u.loss} % | ${u.run} | ${u.timing.wall.toFixed(2)} s | ${u.loss ? u.differences : '(baseline)'} |`,
  );
lines.push('', `UDP verdict: ${udpVerdict}`);
const listed = [...tcp.filter((r) => r.errors), ...udp.filter((u) => u.differences)];
if (listed.length) {
  lines.push('', '## Mismatches (first 10 per run)', '');
  for (const r of tcp.filter((x) => x.errors))
    lines.push(`* loss ${r.loss} % run ${r.run} ${label(r.tool)}: ${r.mismatches.join('; ')}`);
  for (const u of udp.filter((x) => x.differences))
    lines.push(`* UDP loss ${u.loss} % run ${u.run}: ${u.listed.join('; ')}`);
}
fs.mkdirSync(OUT, { recursive: true });
fs.writeFileSync(path.join(OUT, 'summary.md'), `${lines.join('\n')}\n`);
fs.writeFileSync(
  path.join(OUT, 'summary.json'),
  `${JSON.stringify({ code, env, lab: { net: LAB_NET, hosts: hosts.length }, losses: LOSSES, runs: RUNS, cells, tcp, udp: udp.map(({ states: _s, ...u }) => u) }, null, 2)}\n`,
);
console.log(lines.join('\n'));
console.log(`\nresults: ${path.join(OUT, 'summary.md')}`);
