// The v1/v2c community sweep: fleetqry's own (asn1-ber codec, every community × version over one connected
// socket per agent) against net-snmp's Session (one session and socket per community × version), on the
// fleet lab's SNMP agents (127.30.0.0/26 by the ground truth). Two cases: `answered` (each agent's own
// communities: every request answered, so the codec and the sockets are what is measured) and `dictionary`
// (tools/bench/communities.txt, 20 names: most are silent, so the wait for silence is). Same window for
// both: fleetqry 1 s (v3 discovery off, so no early end), net-snmp 500 ms × 2 attempts; fleetqry's default
// (v3 discovery on, which ends the wait for silence early on a live agent) is listed too. Agents are asked
// CONCURRENCY at a time. Run with `bash tools/bench/snmp-codec/run.sh`.
// Env: LAB_STATE (/tmp/fleetqry-lab), RUNS (3, ≤ 10), CONCURRENCY (8), OUT (a trial directory).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import snmp from 'net-snmp';

import { DEFAULT_COMMON_OPTIONS } from '../../../libs/probe/src/protocols/options.js';
import { DEFAULT_SNMP_OPTIONS } from '../../../libs/probe/src/protocols/snmp/options.js';
import { snmpPlugin } from '../../../libs/probe/src/protocols/snmp/index.js';
import { codeState, codeStateLine } from '../src/lib/code-state.js';
import { assertLoopbackTargets } from '../src/lib/safety.js';
import { median } from '../src/lib/score.js';
import { environment } from '../src/lib/suite.js';
import { acceptedCommunities, byAddress, loadTruth, type HostTruth } from '../src/lib/truth.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const LAB_STATE = process.env.LAB_STATE ?? '/tmp/fleetqry-lab';
const RUNS = Math.min(10, Math.max(1, Number(process.env.RUNS ?? 3)));
const CONCURRENCY = Math.min(64, Math.max(1, Number(process.env.CONCURRENCY ?? 8)));
const WINDOW_MS = 1000;
const OIDS = ['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.2.0'];
const DICTIONARY = fs
  .readFileSync(path.join(ROOT, 'tools/bench/communities.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);

type Accepted = Map<string, Set<'v1' | 'v2c'>>;
type Sweep = (address: string, communities: readonly string[]) => Promise<Accepted>;

/** `discovery`: fleetqry's default, the v3 discovery in the same burst, which ends the wait early on a live agent. */
const fleetqrySweep =
  (discovery: boolean): Sweep =>
  async (address, communities) => {
    const r = await snmpPlugin.query({
      host: address,
      address,
      port: 161,
      proto: 'udp',
      timeoutMs: WINDOW_MS,
      signal: new AbortController().signal,
      options: { ...DEFAULT_COMMON_OPTIONS, ...DEFAULT_SNMP_OPTIONS, communities, v3Discovery: discovery },
    });
    const versions = r.data?.snmp?.versions ?? {};
    return new Map(Object.entries(versions).map(([c, v]) => [c, new Set(v)]));
  };

function netSnmpGet(address: string, community: string, version: 'v1' | 'v2c'): Promise<boolean> {
  return new Promise((resolve) => {
    const session = snmp.createSession(address, community, {
      version: version === 'v1' ? snmp.Version1 : snmp.Version2c,
      timeout: WINDOW_MS / 2,
      retries: 1,
    });
    session.on('error', () => undefined);
    // Any Response (values or an error-status) means the community was accepted, as in fleetqry; net-snmp
    // reports an error-status as RequestFailedError (its typings list only ResponseInvalidError).
    session.get(OIDS, (err: Error | null) => {
      session.close();
      resolve(!err || err.name === 'RequestFailedError');
    });
  });
}

const netSnmp: Sweep = async (address, communities) => {
  const pairs = communities.flatMap((c) => (['v1', 'v2c'] as const).map((v) => [c, v] as const));
  const ok = await Promise.all(pairs.map(([c, v]) => netSnmpGet(address, c, v)));
  const out: Accepted = new Map();
  pairs.forEach(([c, v], i) => {
    if (!ok[i]) return;
    const set = out.get(c) ?? new Set();
    set.add(v);
    out.set(c, set);
  });
  return out;
};

/** Agents the truth says answer v1/v2c or v3 on UDP 161 (dropped and closed ports are not SNMP cases). */
function agents(hosts: readonly HostTruth[]): HostTruth[] {
  return byAddress(hosts).filter((h) => Number(h.address.split('.')[3]) < 64 && h.snmp !== null);
}

interface Measure {
  wallMs: number;
  cpuMs: number;
  mismatches: string[];
}

async function measure(sweep: Sweep, hosts: readonly HostTruth[], list: (h: HostTruth) => string[]) {
  const mismatches: string[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < hosts.length) {
        const h = hosts[next++]!;
        const communities = list(h);
        const got = await sweep(h.address, communities);
        for (const v of ['v1', 'v2c'] as const) {
          const want = acceptedCommunities(h, communities, v).sort().join(',');
          const have = communities
            .filter((c) => got.get(c)?.has(v))
            .sort()
            .join(',');
          if (want !== have) mismatches.push(`${h.address} ${v}: want [${want}] got [${have}]`);
        }
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, mismatches };
}

interface Case {
  hosts: (h: HostTruth) => boolean;
  communities: (h: HostTruth) => string[];
}
const CASES: Record<string, Case> = {
  // Agents that answer both versions with their own communities: nothing is silent.
  answered: {
    hosts: (h) => h.snmp!.versions.includes('v1') && h.snmp!.versions.includes('v2c'),
    communities: (h) => Object.keys(h.snmp!.communities),
  },
  dictionary: { hosts: () => true, communities: () => DICTIONARY },
};
const TOOLS: Record<string, Sweep> = {
  fleetqry: fleetqrySweep(false),
  'net-snmp': netSnmp,
  'fleetqry (default: + v3 discovery)': fleetqrySweep(true),
};

async function main(): Promise<void> {
  const gt = loadTruth(path.join(LAB_STATE, 'ground-truth.json'));
  const hosts = agents(gt.hosts);
  assertLoopbackTargets(
    hosts.map((h) => h.address),
    'snmp-codec agents',
  );
  const results: Record<string, Record<string, Measure[]>> = {};
  const asked: Record<string, number> = {};
  for (const [name, c] of Object.entries(CASES)) {
    results[name] = {};
    const these = hosts.filter(c.hosts);
    asked[name] = these.length;
    // One unmeasured pass of each tool first: module loading and JIT warm-up are not what is compared.
    for (const tool of Object.values(TOOLS)) await measure(tool, these, c.communities);
    for (let run = 0; run < RUNS; run++) {
      // Alternate which tool goes first, so a load spike does not always hit the same one.
      const order = run % 2 === 0 ? Object.keys(TOOLS) : Object.keys(TOOLS).reverse();
      for (const tool of order)
        (results[name][tool] ??= []).push(await measure(TOOLS[tool]!, these, c.communities));
    }
  }
  const code = codeState();
  const summary = {
    commit: code.commit,
    uncommittedChanges: code.dirty,
    env: environment(),
    agents: asked,
    concurrency: CONCURRENCY,
    windowMs: WINDOW_MS,
    runs: RUNS,
    results,
  };
  const lines = [
    '# v1/v2c community sweep: fleetqry (asn1-ber, one socket per agent) vs net-snmp Session',
    '',
    `${codeStateLine(code)}, load ${summary.env.loadavg}, ` +
      `${summary.env.cpus} CPUs, lab agents ${JSON.stringify(asked)}, ${CONCURRENCY} at a time, window ${WINDOW_MS} ms, RUNS=${RUNS}`,
    '',
    '| case | tool | median wall ms | median CPU ms | every run (wall/CPU ms) | mismatches (worst run) |',
    '|---|---|---|---|---|---|',
  ];
  for (const [name, byTool] of Object.entries(results))
    for (const [tool, ms] of Object.entries(byTool))
      lines.push(
        `| ${name} | ${tool} | ${median(ms.map((m) => m.wallMs)).toFixed(0)} | ${median(ms.map((m) => m.cpuMs)).toFixed(0)} | ` +
          `${ms.map((m) => `${m.wallMs.toFixed(0)}/${m.cpuMs.toFixed(0)}`).join(', ')} | ${Math.max(...ms.map((m) => m.mismatches.length))} |`,
      );
  const mismatched = Object.values(results)
    .flatMap((byTool) => Object.entries(byTool))
    .flatMap(([tool, ms]) => ms.flatMap((m) => m.mismatches.map((x) => `${tool}: ${x}`)));
  if (mismatched.length)
    lines.push('', '## Mismatches against the ground truth', '', ...mismatched.map((m) => `* ${m}`));
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const out = process.env.OUT ?? path.join(ROOT, 'tools/bench/results', `snmp-codec-${stamp}`);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'summary.md'), `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
  console.log(`\nwritten to ${out}`);
}

await main();
