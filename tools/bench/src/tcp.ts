// Benchmark 1: TCP 1-1024 on every lab host, fleetqry vs `nmap -n -sT -T4`.
import { nmapCommand } from './lib/nmap.js';
import { FOREIGN_PORT } from './lib/safety.js';
import { scoreFleetqryStates, scoreNmapStates, toScore } from './lib/states.js';
import { type Benchmark, fleetqryBase, writeTargets } from './lib/suite.js';
import { byAddress, expectedFleetqry, expectedNmap } from './lib/truth.js';

export const PORTS = Array.from({ length: 1024 }, (_, i) => i + 1).filter((p) => p !== FOREIGN_PORT);

export const tcp: Benchmark = {
  id: 'tcp',
  title: 'TCP 1-1024, all lab hosts',
  goal: 'fleetqry at least 1.5x faster than nmap -sT -T4, at 100 % state accuracy',
  plan(ctx) {
    const hosts = byAddress(ctx.gt.hosts);
    const targets = hosts.map((h) => h.address);
    const file = writeTargets(ctx, 'tcp', targets);
    const spec = '1-1024';
    return {
      targets,
      ports: { tcp: PORTS },
      notes: [
        `${targets.length} hosts x ${PORTS.length} ports = ${targets.length * PORTS.length} host x port cells, every one scored.`,
        'States: ground truth bound -> LISTENING/open, nft-dropped -> FILTERED/filtered, else NOT LISTENING/closed.',
      ],
      fleetqry: {
        label: 'fleetqry query --tcp 1-1024 --no-queries',
        cmd: () => [...fleetqryBase(ctx), '--targets-file', file, '--tcp', spec, '--no-queries'],
        score: (f) =>
          toScore(
            scoreFleetqryStates(f.stdout, hosts, 'tcp', PORTS, (h, p) => expectedFleetqry(h, 'tcp', p, []))
              .score,
          ),
      },
      reference: {
        label: 'nmap -n -sT -T4 -p1-1024',
        cmd: (f) => nmapCommand(['-sT', '-T4'], spec, file, f.xml),
        score: (f) =>
          toScore(scoreNmapStates(f.xml, hosts, 'tcp', PORTS, (h, p) => expectedNmap(h, 'tcp', p))),
      },
      verdict(fq, _ref, ratio) {
        const reasons: string[] = [];
        if (!(ratio >= 1.5)) reasons.push(`speed ratio ${ratio.toFixed(2)}x < 1.5x`);
        const bad = fq.scores.filter((s) => s.agree !== s.total).length;
        if (bad) reasons.push(`state accuracy below 100 % in ${bad}/${fq.scores.length} runs`);
        return { met: reasons.length === 0, reasons };
      },
    };
  },
};
