// Benchmark 1: TCP 1-1024 on every lab host, each fleetqry engine against nmap's scan of the same kind:
// the raw-socket SYN engine against `nmap -sS`, the connect() engine against `nmap -sT`.
import { tcpEngineName } from '@fleetqry/probe';

import { nmapCommand } from './lib/nmap.js';
import { FOREIGN_PORT } from './lib/safety.js';
import { scoreFleetqryStates, scoreNmapStates, toScore } from './lib/states.js';
import { type Benchmark, fleetqryBase, writeTargets } from './lib/suite.js';
import { byAddress, expectedFleetqry, expectedNmap } from './lib/truth.js';

const PORTS = Array.from({ length: 1024 }, (_, i) => i + 1).filter((p) => p !== FOREIGN_PORT);

const ENGINES = {
  syn: { nmapScan: '-sS', what: 'raw-socket SYN engine (root, native addon)' },
  connect: { nmapScan: '-sT', what: 'connect() engine' },
} as const;

function tcpBench(engine: keyof typeof ENGINES): Benchmark {
  const { nmapScan, what } = ENGINES[engine];
  return {
    id: `tcp-${engine}`,
    title: `TCP 1-1024, all lab hosts, ${what} vs nmap ${nmapScan}`,
    goal: `fleetqry at least 1.5x faster than nmap ${nmapScan} -T4, at 100 % state accuracy`,
    async plan(ctx) {
      // The SYN pairing is only honest if the SYN engine really runs: refuse instead of timing connect().
      if (engine === 'syn' && (await tcpEngineName()) !== 'syn')
        throw new Error('tcp-syn: the SYN engine is not available here (root and libs/probe-native needed)');
      const hosts = byAddress(ctx.gt.hosts);
      const targets = hosts.map((h) => h.address);
      const file = writeTargets(ctx, `tcp-${engine}`, targets);
      const spec = '1-1024';
      return {
        targets,
        ports: { tcp: PORTS },
        notes: [
          `${targets.length} hosts x ${PORTS.length} ports = ${targets.length * PORTS.length} host x port cells, every one scored.`,
          'States: ground truth bound -> LISTENING/open, nft-dropped -> FILTERED/filtered, else NOT LISTENING/closed.',
          engine === 'syn'
            ? 'fleetqry runs its default engine as root, checked to be the SYN engine before the runs.'
            : 'fleetqry runs with FLEETQRY_TCP_ENGINE=connect.',
        ],
        fleetqry: {
          label: `fleetqry query --tcp 1-1024 --no-queries (${engine} engine)`,
          ...(engine === 'connect' ? { env: { FLEETQRY_TCP_ENGINE: 'connect' } } : {}),
          cmd: () => [...fleetqryBase(ctx), '--targets-file', file, '--tcp', spec, '--no-queries'],
          score: (f) =>
            toScore(
              scoreFleetqryStates(f.stdout, hosts, 'tcp', PORTS, (h, p) => expectedFleetqry(h, 'tcp', p, []))
                .score,
            ),
        },
        reference: {
          label: `nmap -n ${nmapScan} -T4 -p1-1024`,
          cmd: (f) => nmapCommand([nmapScan, '-T4'], spec, file, f.xml),
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
}

export const tcpSyn = tcpBench('syn');
export const tcpConnect = tcpBench('connect');
