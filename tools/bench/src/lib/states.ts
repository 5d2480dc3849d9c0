// Helpers shared by the port-state benchmarks: build host x port cells and score fleetqry JSONL / nmap XML.
import { type Observation, fleetqryState, key, readJsonl } from './fleetqry.js';
import { nmapState, readNmapXml } from './nmap.js';
import { scoreStates, stateLine, type StateScore } from './score.js';
import type { Score } from './suite.js';
import type { Canon, HostTruth } from './truth.js';

export function toScore(s: StateScore): Score {
  return {
    line: stateLine(s),
    agree: s.agree,
    total: s.total,
    metrics: {
      total: s.total,
      agree: s.agree,
      openFound: s.openFound,
      openExpected: s.openExpected,
      falseListening: s.falseOpen,
      filteredFound: s.filteredFound,
      filteredExpected: s.filteredExpected,
      missing: s.missing,
      mismatches: s.mismatchCount,
    },
    mismatches: s.mismatches,
  };
}

function* cells(
  hosts: readonly HostTruth[],
  proto: 'tcp' | 'udp',
  ports: readonly number[],
  want: (h: HostTruth, port: number) => Canon,
  got: (address: string, port: number) => Canon,
): Generator<{ where: string; want: Canon; got: Canon }> {
  for (const h of hosts) {
    for (const p of ports)
      yield { where: `${h.address} ${proto}/${p}`, want: want(h, p), got: got(h.address, p) };
  }
}

export function scoreFleetqryStates(
  file: string,
  hosts: readonly HostTruth[],
  proto: 'tcp' | 'udp',
  ports: readonly number[],
  want: (h: HostTruth, port: number) => Canon,
): { score: StateScore; obs: Map<string, Observation>; extra: number } {
  const { obs, duplicates, badLines } = readJsonl(file);
  const score = scoreStates(
    cells(hosts, proto, ports, want, (a, p) => fleetqryState(obs.get(key(a, proto, p)))),
  );
  const targeted = new Set(hosts.map((h) => h.address));
  const portSet = new Set(ports);
  let extra = duplicates + badLines;
  for (const o of obs.values())
    if (!targeted.has(o.address) || !portSet.has(o.port) || o.proto !== proto) extra++;
  if (extra) {
    // A line the scan should not have printed is an error like a wrong state: it counts against accuracy.
    score.total += extra;
    score.mismatchCount += extra;
    score.mismatches.push(`${extra} unexpected/duplicate/bad JSONL lines`);
  }
  return { score, obs, extra };
}

export function scoreNmapStates(
  file: string,
  hosts: readonly HostTruth[],
  proto: 'tcp' | 'udp',
  ports: readonly number[],
  want: (h: HostTruth, port: number) => Canon,
): StateScore {
  const res = readNmapXml(file);
  if (!res) {
    const s = scoreStates(cells(hosts, proto, ports, want, () => 'missing'));
    s.mismatches.unshift(`${file}: no complete nmap XML`);
    return s;
  }
  return scoreStates(cells(hosts, proto, ports, want, (a, p) => nmapState(res.get(a), `${proto}/${p}`)));
}
