/**
 * UDP states on a host that really rate-limits ICMP port unreachable: a namespace host over a veth
 * (loopback is exempt from the limit, so the fleet lab cannot show it). Every packet goes to the
 * namespace this test creates and nowhere else: the scope allows its one address only.
 */
import type { Observation } from '@fleetqry/contracts';

import { canCreateNetns, createNetnsHost, type NetnsHost } from '../testing/netns-host.js';
import { portList, testScanOptions } from '../testing/scan-options.js';
import { DEFAULT_TIMING } from './rtt-estimator.js';
import { scan, type ScanOptions } from './scanner.js';

const run = canCreateNetns() || process.env.FLEETQRY_REQUIRE_DAEMONS === '1';
if (!run) console.warn('udp-recheck: skipped, needs root with ip netns and nft');

const PORTS = Array.from({ length: 24 }, (_, i) => i + 1); // 1-24
const ECHO = 9;
const SILENT_SERVICE = 11;
const DROPPED = [7, 20];

function options(address: string, udpRecheckBudgetMs: number): ScanOptions {
  return testScanOptions({
    ports: { tcp: portList([]), udp: portList(PORTS) },
    timing: { ...DEFAULT_TIMING, udpRecheckBudgetMs },
    udpAttempts: 3,
    scopeCheck: (a) => (a === address ? undefined : `${a} is not the test's namespace host`),
    udpQueryTimeoutMs: 1000,
  });
}

async function states(host: NetnsHost, budgetMs: number): Promise<Map<number, Observation>> {
  const out = new Map<number, Observation>();
  for await (const batch of scan(
    [{ host: 'ns-host', address: host.address, family: 4 }],
    options(host.address, budgetMs),
  ))
    for (const e of batch) if (e.type === 'observation') out.set(e.observation.port, e.observation);
  return out;
}

(run ? describe : describe.skip)('silent UDP ports on a host that rate-limits ICMP', () => {
  let host: NetnsHost;
  beforeAll(async () => {
    host = createNetnsHost();
    host.dropUdp(DROPPED);
    await host.serveUdp({ echo: [ECHO], silent: [SILENT_SERVICE] });
  });
  afterAll(async () => {
    await host?.close();
  });

  const closed = PORTS.filter((p) => p !== ECHO && p !== SILENT_SERVICE && !DROPPED.includes(p));

  it('without rechecks, closed ports past the ICMP budget read as silent (the problem)', async () => {
    await new Promise((r) => setTimeout(r, 6_500)); // let the host's ICMP budget fill up again
    const before = host.icmpRateLimited();
    const obs = await states(host, 0);
    expect(host.icmpRateLimited()).toBeGreaterThan(before); // the kernel limit really applied
    const misread = closed.filter((p) => obs.get(p)?.state !== 'NOT LISTENING');
    expect(misread.length).toBeGreaterThan(0);
    // Silence is never LISTENING, even so.
    for (const p of misread) expect(obs.get(p)).toMatchObject({ state: 'LISTENING or FILTERED' });
  }, 30_000);

  it('rechecks them paced to the host: every state right, firewalled and silent services stay silent', async () => {
    await new Promise((r) => setTimeout(r, 6_500));
    const obs = await states(host, 60_000);
    expect(obs.size).toBe(PORTS.length);
    for (const p of closed)
      expect(obs.get(p)).toMatchObject({ state: 'NOT LISTENING', reason: 'icmp-port-unreachable' });
    expect(obs.get(ECHO)).toMatchObject({ state: 'LISTENING', reason: 'udp-response' });
    for (const p of [...DROPPED, SILENT_SERVICE])
      expect(obs.get(p)).toMatchObject({ state: 'LISTENING or FILTERED', reason: 'no-response' });
    // Some closed ports were decided by a recheck, and say so.
    expect(closed.some((p) => /recheck/.test(obs.get(p)?.evidence ?? ''))).toBe(true);
  }, 90_000);
});
