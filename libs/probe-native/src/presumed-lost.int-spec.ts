import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

import { ipv4ToUint32, loadProbeNative, CellState } from './index.js';

// Packets go only to 127.117.18.1, a loopback address nothing else uses, where tools/lab/loss.sh's
// firewall rule drops one TCP port silently (no loss otherwise). Needs root, nft and the built addon.
const TARGET = '127.117.18.1';
const CIDR = '127.117.18.0/24';
const LOSS_SH = fileURLToPath(new URL('../../../tools/lab/loss.sh', import.meta.url));
const env = { ...process.env, LOSS_TAG: 'syn_presumed_lost' };

const native = loadProbeNative();
const problem =
  native === undefined
    ? 'the addon is not built'
    : (native.rawSocketError() ??
      (spawnSync('nft', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'nft is missing'));
if (problem !== undefined && process.env['FLEETQRY_REQUIRE_DAEMONS'] === '1')
  throw new Error(`probe-native: ${problem} (FLEETQRY_REQUIRE_DAEMONS=1: nothing may pass by skipping)`);
const d = problem === undefined ? describe : describe.skip;

/** Ports nothing listens on at TARGET: each was bound there a moment ago and released. */
async function freedPorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = net.createServer();
      await new Promise<void>((r) => s.listen(0, TARGET, r));
      return s;
    }),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function loss(...args: string[]): void {
  const r = spawnSync('bash', [LOSS_SH, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loss.sh ${args.join(' ')}: ${r.stderr}`);
}

d.each(['synScan', 'connectScan'] as const)(
  '%s: a silent attempt leaves the caps once its round trip has passed',
  (kind) => {
    let closed: number[];
    let dropped: number;
    beforeAll(async () => {
      const freed = await freedPorts(41);
      dropped = freed[0]!;
      closed = freed.slice(1);
      loss('on', '0', CIDR, '--filter-tcp', String(dropped));
    });
    afterAll(() => loss('off'));

    it('scans on past a dropped port with one probe in flight, long before that port’s first timeout', async () => {
      // One probe in flight, a one-second timeout floor, 1.5 s for the whole batch. Were the dropped
      // port to hold the only place until its attempts ran out (1 s + 2 s + 2 s), every port after it
      // would still be unprobed at the deadline. Presumed lost a tenth of the floor after its SYN, it
      // lets them all through while it keeps listening.
      const ports = Uint16Array.from([closed[0]!, dropped, ...closed.slice(1)]);
      const r = await native![kind]({
        targets: Uint32Array.of(ipv4ToUint32(TARGET)!),
        ports,
        timeoutMs: 1000,
        minTimeoutMs: 1000,
        attempts: 3,
        concurrency: 1,
        perHost: 1,
        deadlineMs: 1500,
      });
      const states = [...r.states];
      expect(states[1]).toBe(CellState.UNPROBED); // still within its attempts at the deadline
      expect(states.filter((s, i) => i !== 1)).toEqual(closed.map(() => CellState.NOT_LISTENING));
      expect(r.sent).toBeGreaterThanOrEqual(ports.length);
    });
  },
);
