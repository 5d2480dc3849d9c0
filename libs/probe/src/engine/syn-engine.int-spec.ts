import { existsSync, readFileSync } from 'node:fs';

import { portList, testScanOptions } from '../testing/scan-options.js';
import type { ProbeTarget } from './port-probe.js';
import { DEFAULT_TIMING } from './rtt-estimator.js';
import { scan, type ScanEvent } from './scanner.js';
import { preconditionMet } from '../testing/lab-daemons.js';
import { loadBatchEngine } from './tcp-engine.js';

// The fleet lab (tools/lab, 127.30.0.1-64): every host × TCP 1-1024 through the SYN engine must equal
// the ground truth. Skipped when the lab is down or the SYN engine is unavailable (not root, no addon),
// except under FLEETQRY_REQUIRE_DAEMONS=1.
const TRUTH = process.env.FLEETQRY_LAB_TRUTH ?? '/tmp/fleetqry-lab/ground-truth.json';
interface TruthHost {
  address: string;
  openTcp: number[];
  filteredTcp: number[];
}
const truth = existsSync(TRUTH)
  ? (JSON.parse(readFileSync(TRUTH, 'utf8')) as { hosts: TruthHost[] })
  : undefined;
const syn = (await loadBatchEngine())?.kind === 'syn';
const d = preconditionMet(
  'SYN engine on the lab',
  !truth
    ? `no lab ground truth at ${TRUTH}`
    : !syn
      ? 'the SYN engine does not load (root + addon)'
      : undefined,
)
  ? describe
  : describe.skip;

const inLoopback = (a: string) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
const FORBIDDEN_PORT = 2024; // a foreign service on every address of the lab machine: never probed

d('SYN engine on the fleet lab', () => {
  it('reads every host × TCP 1-1024 as the ground truth says', async () => {
    const hosts = truth!.hosts;
    expect(hosts.length).toBeGreaterThan(0);
    for (const h of hosts) expect(inLoopback(h.address)).toBe(true);
    const ports = Array.from({ length: 1024 }, (_, i) => i + 1).filter((p) => p !== FORBIDDEN_PORT);
    expect(ports).not.toContain(FORBIDDEN_PORT);
    const targets: ProbeTarget[] = hosts.map((h) => ({ host: h.address, address: h.address, family: 4 }));

    const events: ScanEvent[] = [];
    const started = performance.now();
    for await (const batch of scan(
      targets,
      testScanOptions({
        ports: { tcp: portList(ports), udp: portList([]) },
        timing: DEFAULT_TIMING,
        tcpEngine: 'auto',
        scopeCheck: (a) => (inLoopback(a) ? undefined : 'outside 127.0.0.0/8'),
      }),
    ))
      events.push(...batch);
    const elapsedMs = performance.now() - started;

    const got = new Map<string, string>();
    for (const e of events)
      if (e.type === 'observation') {
        if (e.observation.port === FORBIDDEN_PORT) throw new Error('port 2024 was probed');
        got.set(
          `${e.observation.address}/${e.observation.port}`,
          `${e.observation.state} ${e.observation.reason}`,
        );
      }
    expect(events.filter((e) => e.type === 'probe-error')).toEqual([]);
    expect(events.filter((e) => e.type === 'host-done')).toHaveLength(hosts.length);

    const wrong: string[] = [];
    for (const h of hosts)
      for (const p of ports) {
        const want = h.openTcp.includes(p)
          ? 'LISTENING syn-ack'
          : h.filteredTcp.includes(p)
            ? 'FILTERED timeout'
            : 'NOT LISTENING conn-refused';
        const have = got.get(`${h.address}/${p}`);
        if (have !== want) wrong.push(`${h.address}/${p}: ${have ?? 'missing'} (want ${want})`);
      }
    expect(wrong).toEqual([]);
    expect(got.size).toBe(hosts.length * ports.length);
    // Two SYNs at most per silent port, 100 ms floor: far below the connect scan's time on a loaded box.
    expect(elapsedMs).toBeLessThan(30_000);
  });
});
