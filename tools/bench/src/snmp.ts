// Benchmark 3: SNMP community sweep (20-community dictionary) on every lab host,
// fleetqry vs `onesixtyone -w 0`.
import fs from 'node:fs';
import path from 'node:path';

import { key, readJsonl } from './lib/fleetqry.js';
import { scoreFleetqryStates } from './lib/states.js';
import { type Benchmark, type RunFiles, type Score, fleetqryBase, writeTargets } from './lib/suite.js';
import { acceptedCommunities, byAddress, expectedFleetqry, type HostTruth } from './lib/truth.js';

function readCommunities(file: string): string[] {
  const list = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (new Set(list).size !== list.length) throw new Error(`${file}: duplicate communities`);
  return list;
}

/** "127.30.0.2 [public] sysDescr…" lines; anything else (the "Scanning …" header) is ignored. */
function parseOnesixtyone(file: string): Set<string> {
  const pairs = new Set<string>();
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n')) {
    const m = /^(\d+\.\d+\.\d+\.\d+) \[(.*?)\] /.exec(line);
    if (m) pairs.add(`${m[1]} ${m[2]}`);
  }
  return pairs;
}

function fleetqryPairs(file: string): Set<string> {
  const pairs = new Set<string>();
  for (const o of readJsonl(file).obs.values()) {
    if (o.proto === 'udp' && o.port === 161)
      for (const c of o.snmp?.communities ?? []) pairs.add(`${o.address} ${c}`);
  }
  return pairs;
}

function pairScore(found: Set<string>, expected: Set<string>, v1only: Set<string>, extraLine = ''): Score {
  const right = [...found].filter((p) => expected.has(p));
  const falsePos = [...found].filter((p) => !expected.has(p));
  const missed = [...expected].filter((p) => !found.has(p));
  const v1Right = [...v1only].filter((p) => found.has(p)).length;
  return {
    line:
      `pairs ${right.length}/${expected.size}, false ${falsePos.length}; ` +
      `v1-only agents' pairs ${v1Right}/${v1only.size}${extraLine}`,
    agree: right.length - falsePos.length,
    total: expected.size,
    metrics: {
      pairsFound: right.length,
      pairsExpected: expected.size,
      falsePairs: falsePos.length,
      v1OnlyPairsFound: v1Right,
      v1OnlyPairsExpected: v1only.size,
    },
    mismatches: [...missed.map((p) => `missed ${p}`), ...falsePos.map((p) => `false ${p}`)],
  };
}

export const snmp: Benchmark = {
  id: 'snmp',
  title: 'SNMP community sweep (20-word dictionary), all lab hosts',
  goal: 'fleetqry at least 2.5x faster than onesixtyone -w 0, same accepted pairs, v1-only agents caught too',
  plan(ctx) {
    const hosts = byAddress(ctx.gt.hosts);
    const targets = hosts.map((h) => h.address);
    const file = writeTargets(ctx, 'snmp', targets);
    const commFile = path.join(ctx.root, 'tools/bench/communities.txt');
    const comm = readCommunities(commFile);
    const expectFq = new Set<string>(); // v1 or v2c
    const expectV1 = new Set<string>(); // onesixtyone speaks only SNMPv1
    const v1only = new Set<string>();
    for (const h of hosts) {
      for (const c of acceptedCommunities(h, comm)) expectFq.add(`${h.address} ${c}`);
      for (const c of acceptedCommunities(h, comm, 'v1')) expectV1.add(`${h.address} ${c}`);
      if (h.snmp && h.snmp.versions.length === 1 && h.snmp.versions[0] === 'v1') {
        for (const c of acceptedCommunities(h, comm, 'v1')) v1only.add(`${h.address} ${c}`);
      }
    }
    const agents = hosts.filter((h) => h.snmp);
    const outside = new Set<string>();
    for (const h of agents)
      for (const c of Object.keys(h.snmp!.communities)) if (!comm.includes(c)) outside.add(c);
    const v3only = agents.filter((h) => !h.snmp!.versions.some((v) => v === 'v1' || v === 'v2c')).length;
    const want161 = (h: HostTruth, p: number) => expectedFleetqry(h, 'udp', p, comm);
    return {
      targets,
      ports: { udp: [161] },
      notes: [
        `${targets.length} hosts x ${comm.length} communities (tools/bench/communities.txt) = ${targets.length * comm.length} host x community checks.`,
        `${agents.length} SNMP agents in the lab: ${v3only} v3-only (accept no community), ${new Set([...v1only].map((p) => p.split(' ')[0])).size} v1-only; ` +
          `${outside.size} configured communit${outside.size === 1 ? 'y is' : 'ies are'} deliberately not in the dictionary, so no tool should find ${outside.size === 1 ? 'it' : 'them'}.`,
        `Expected accepted (host, community) pairs: ${expectFq.size} over v1/v2c (fleetqry), ${expectV1.size} over v1 (onesixtyone speaks only SNMPv1); ` +
          `${v1only.size} of them on v1-only agents.`,
        'fleetqry line also scores its UDP 161 state per host with this community list (PortQry: accepted -> LISTENING, all rejected -> FILTERED).',
      ],
      fleetqry: {
        label: 'fleetqry query -p udp --udp 161 --query snmp --communities-file communities.txt',
        cmd: () => [
          ...fleetqryBase(ctx),
          '--targets-file',
          file,
          '-p',
          'udp',
          '--udp',
          '161',
          '--query',
          'snmp',
          '--communities-file',
          commFile,
        ],
        score: (f: RunFiles) => {
          const st = scoreFleetqryStates(f.stdout, hosts, 'udp', [161], want161).score;
          const s = pairScore(
            fleetqryPairs(f.stdout),
            expectFq,
            v1only,
            `; 161 states ${st.agree}/${st.total}, false LISTENING ${st.falseOpen}`,
          );
          s.metrics.states161Agree = st.agree;
          s.metrics.states161Total = st.total;
          s.metrics.falseListening = st.falseOpen;
          s.mismatches.push(...st.mismatches);
          return s;
        },
      },
      reference: {
        label: 'onesixtyone -w 0 -c communities.txt -i hosts.txt',
        cmd: () => ['onesixtyone', '-w', '0', '-c', commFile, '-i', file],
        score: (f: RunFiles) => pairScore(parseOnesixtyone(f.stdout), expectV1, v1only),
      },
      extra(fqFiles, refFiles) {
        const lines = ['Pairs compared run by run (fleetqry vs onesixtyone, same run number):', ''];
        for (let i = 0; i < Math.min(fqFiles.length, refFiles.length); i++) {
          const a = fleetqryPairs(fqFiles[i]!.stdout);
          const b = parseOnesixtyone(refFiles[i]!.stdout);
          const onlyA = [...a].filter((p) => !b.has(p));
          const onlyB = [...b].filter((p) => !a.has(p));
          const v1 = [...v1only].filter((p) => a.has(p)).length;
          lines.push(
            `* run ${i + 1}: fleetqry ${a.size} pairs, onesixtyone ${b.size}; only fleetqry: ${onlyA.length ? onlyA.join(', ') : 'none'}; ` +
              `only onesixtyone: ${onlyB.length ? onlyB.join(', ') : 'none'}; v1-only agents caught by fleetqry ${v1}/${v1only.size}`,
          );
        }
        // a sample of what fleetqry reports for one accepted pair
        const first = fqFiles[0] ? readJsonl(fqFiles[0].stdout).obs : undefined;
        const sample = first ? [...first.values()].find((o) => o.snmp?.communities?.length) : undefined;
        if (sample)
          lines.push(
            '',
            `Sample fleetqry SNMP record: ${JSON.stringify(first!.get(key(sample.address, 'udp', 161))!.snmp)}`,
          );
        return lines;
      },
      verdict(fq, ref, ratio) {
        const reasons: string[] = [];
        if (!(ratio >= 2.5)) reasons.push(`speed ratio ${ratio.toFixed(2)}x < 2.5x`);
        const badPairs = fq.scores.filter(
          (s) => s.metrics.pairsFound !== s.metrics.pairsExpected || s.metrics.falsePairs,
        );
        if (badPairs.length)
          reasons.push(`fleetqry pairs wrong in ${badPairs.length}/${fq.scores.length} runs`);
        const v1 = fq.scores.filter((s) => s.metrics.v1OnlyPairsFound !== s.metrics.v1OnlyPairsExpected);
        if (v1.length) reasons.push(`v1-only agents missed in ${v1.length} runs`);
        const refBad = ref.scores.filter(
          (s) => s.metrics.pairsFound !== s.metrics.pairsExpected || s.metrics.falsePairs,
        );
        if (refBad.length) reasons.push(`(reference) onesixtyone pairs wrong in ${refBad.length} runs`);
        return { met: ratio >= 2.5 && badPairs.length === 0 && v1.length === 0, reasons };
      },
    };
  },
};
