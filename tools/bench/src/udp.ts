// Benchmark 2: UDP 53,161,389 on every lab host, fleetqry vs `nmap -n -sU`.
import { fleetqryState, FQ_WORD, key, readJsonl } from './lib/fleetqry.js';
import { nmapCommand, nmapState, readNmapXml } from './lib/nmap.js';
import { scoreFleetqryStates, scoreNmapStates, toScore } from './lib/states.js';
import { type Benchmark, fleetqryBase, writeTargets } from './lib/suite.js';
import {
  acceptedCommunities,
  byAddress,
  expectedFleetqry,
  expectedNmap,
  type HostTruth,
} from './lib/truth.js';

const UDP_PORTS = [53, 161, 389];
/** The community list fleetqry is given here; SNMP ports are scored with it. */
const UDP_COMMUNITIES = ['public'];

/** What the ground truth says is behind host:port, in words, for the cross-tool table. */
function udpCategory(h: HostTruth, port: number): string {
  if (h.filteredUdp.includes(port)) return 'nft-dropped';
  if (!h.openUdp.includes(port)) return 'nothing bound';
  const svc = h.services[`udp/${port}`] ?? '?';
  if (svc === 'snmpd' && h.snmp) {
    if (!h.snmp.versions.some((v) => v === 'v1' || v === 'v2c')) return 'snmpd, v3 only';
    const ok = acceptedCommunities(h, UDP_COMMUNITIES);
    return ok.length ? `snmpd accepting ${ok.join(',')}` : 'snmpd rejecting the community list';
  }
  return `${svc} (answers)`;
}

export const udp: Benchmark = {
  id: 'udp',
  title: 'UDP 53,161,389, all lab hosts',
  goal: 'fleetqry at least as fast as nmap -sU, with no false LISTENING',
  plan(ctx) {
    const hosts = byAddress(ctx.gt.hosts);
    const targets = hosts.map((h) => h.address);
    const file = writeTargets(ctx, 'udp', targets);
    const spec = UDP_PORTS.join(',');
    const wantFq = (h: HostTruth, p: number) => expectedFleetqry(h, 'udp', p, UDP_COMMUNITIES);
    const wantNmap = (h: HostTruth, p: number) => expectedNmap(h, 'udp', p);
    return {
      targets,
      ports: { udp: UDP_PORTS },
      notes: [
        `${targets.length} hosts x ${UDP_PORTS.length} ports = ${targets.length * UDP_PORTS.length} cells; fleetqry gets --communities ${UDP_COMMUNITIES.join(',')}.`,
        'Each tool is scored in its own semantics against the same ground truth:',
        '* nmap: bound -> open; nothing bound (ICMP port unreachable) -> closed; nft-dropped -> open|filtered.',
        '* fleetqry (PortQry): nothing bound -> NOT LISTENING; a bound port whose protocol answers -> LISTENING ' +
          '(DNS: any answer; SNMP: only when a community in the list is accepted over v1/v2c); silence -> ' +
          'LISTENING or FILTERED, then FILTERED once the protocol query (DNS, SNMP) is unanswered too. So ' +
          'nft-dropped 53/161, an snmpd rejecting every community given and a v3-only agent are all FILTERED; ' +
          'a silent port without a protocol query would stay LISTENING or FILTERED (none in this lab).',
        '* Mapping between the tools: nmap open <-> LISTENING, closed <-> NOT LISTENING, open|filtered/filtered <-> ' +
          'FILTERED/LISTENING or FILTERED. nmap -sU sends an SNMPv3 discovery payload to 161, which every ' +
          'net-snmp agent answers whatever its communities, so nmap says open where fleetqry (PortQry) says FILTERED ' +
          'for agents rejecting the community; both are right in their own semantics (see the cross-tool table).',
        '* "false LISTENING" = LISTENING/open reported where the ground truth (in that tool\'s semantics) has no answering service.',
      ],
      fleetqry: {
        label: `fleetqry query -p udp --udp ${spec} --communities ${UDP_COMMUNITIES.join(',')}`,
        cmd: () => [
          ...fleetqryBase(ctx),
          '--targets-file',
          file,
          '-p',
          'udp',
          '--udp',
          spec,
          '--communities',
          UDP_COMMUNITIES.join(','),
        ],
        score: (f) => toScore(scoreFleetqryStates(f.stdout, hosts, 'udp', UDP_PORTS, wantFq).score),
      },
      reference: {
        label: `nmap -n -sU -p${spec}`,
        cmd: (f) => nmapCommand(['-sU'], spec, file, f.xml),
        score: (f) => toScore(scoreNmapStates(f.xml, hosts, 'udp', UDP_PORTS, wantNmap)),
      },
      extra(fqFiles, refFiles) {
        // ground-truth category | nmap state | fleetqry state -> count, over all runs (paired by run number)
        const counts = new Map<string, number>();
        for (let i = 0; i < Math.min(fqFiles.length, refFiles.length); i++) {
          const { obs } = readJsonl(fqFiles[i]!.stdout);
          const nm = readNmapXml(refFiles[i]!.xml);
          for (const h of hosts) {
            for (const p of UDP_PORTS) {
              const n = nm ? nmapState(nm.get(h.address), `udp/${p}`) : 'missing';
              const q = FQ_WORD[fleetqryState(obs.get(key(h.address, 'udp', p)))];
              const k = `| udp/${p} | ${udpCategory(h, p)} | ${n.replace('|', '\\|')} | ${q} |`;
              counts.set(k, (counts.get(k) ?? 0) + 1);
            }
          }
        }
        const runs = Math.min(fqFiles.length, refFiles.length);
        return [
          `Cross-tool table (host x port cells summed over ${runs} paired runs):`,
          '',
          '| port | ground truth | nmap | fleetqry | cells |',
          '|---|---|---|---|---|',
          ...[...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v} |`),
        ];
      },
      verdict(fq, _ref, ratio) {
        const reasons: string[] = [];
        if (!(ratio >= 1.0)) reasons.push(`speed ratio ${ratio.toFixed(2)}x < 1.0x`);
        const fl = fq.scores.reduce((n, s) => n + (s.metrics.falseListening ?? 0), 0);
        if (fl) reasons.push(`${fl} false LISTENING over ${fq.scores.length} runs`);
        const bad = fq.scores.filter((s) => s.agree !== s.total).length;
        if (bad) reasons.push(`(not a goal) state accuracy below 100 % in ${bad} runs`);
        return { met: ratio >= 1.0 && fl === 0, reasons };
      },
    };
  },
};
