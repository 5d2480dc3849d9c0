import type { Observation, PortState } from '@fleetqry/contracts';
import { tcpEngineName } from '@fleetqry/probe';

import { loadGroundTruth, runCli, TCP_ENGINE_ENV, type HostTruth } from './run-cli.js';

/**
 * The whole fleet lab through the CLI, checked against the lab's ground truth: every host × port ×
 * protocol state, every accepted community, banners. This is the accuracy contract of the probe core, so
 * it holds for both TCP engines: the raw-socket SYN engine (the default for root) and connect(), in the
 * native batches and per socket (without the addon).
 */
const truth = loadGroundTruth();
const COMMUNITIES = ['public', 'private', 'nothing-accepts-this'];
const UDP_PORTS = [53, 161, 389];
// UDP ports with a protocol query in the registry: silence there is FILTERED, not LISTENING or FILTERED.
const QUERIED_UDP = new Set([53, 161]);

function acceptedCommunities(h: HostTruth): string[] {
  if (!h.snmp || !h.snmp.versions.some((v) => v === 'v1' || v === 'v2c')) return [];
  return COMMUNITIES.filter((c) => c in h.snmp!.communities);
}

function expectedState(h: HostTruth, proto: 'tcp' | 'udp', port: number): PortState {
  if (proto === 'tcp') {
    if (h.openTcp.includes(port)) return 'LISTENING';
    return h.filteredTcp.includes(port) ? 'FILTERED' : 'NOT LISTENING';
  }
  const queried = QUERIED_UDP.has(port);
  if (h.filteredUdp.includes(port)) return queried ? 'FILTERED' : 'LISTENING or FILTERED';
  if (!h.openUdp.includes(port)) return 'NOT LISTENING';
  if (port === 161) return acceptedCommunities(h).length ? 'LISTENING' : 'FILTERED';
  return queried ? 'LISTENING' : 'LISTENING or FILTERED';
}

describe.each(['syn', 'connect', 'per-socket connect'] as const)(
  'fleet mode (%s TCP engine) against the fleet lab ground truth',
  (engine) => {
    let observations: Observation[];

    beforeAll(async () => {
      expect(truth.errors).toEqual([]);
      // The SYN case must really run the SYN engine (root and the native addon), not fall back to connect().
      if (engine === 'syn') expect(await tcpEngineName()).toBe('syn');
      const targets = truth.hosts.map((h) => h.address).join(',');
      const r = await runCli(
        [
          'query',
          '-t',
          targets,
          '--tcp',
          '1-1024',
          '--udp',
          UDP_PORTS.join(','),
          '--communities',
          COMMUNITIES.join(','),
          '-nr',
          '--format',
          'jsonl',
          '--no-progress',
        ],
        { timeoutMs: 300_000, env: TCP_ENGINE_ENV[engine] },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      observations = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Observation);
    }, 320_000);

    it('reports exactly one observation per host × port × protocol', () => {
      expect(observations).toHaveLength(truth.hosts.length * (1024 + UDP_PORTS.length));
      expect(new Set(observations.map((o) => `${o.address}/${o.proto}/${o.port}`)).size).toBe(
        observations.length,
      );
    });

    it('gets every port state right (no false LISTENING, no missed FILTERED)', () => {
      const byHost = new Map(truth.hosts.map((h) => [h.address, h]));
      const wrong = observations
        .filter((o) => o.state !== expectedState(byHost.get(o.address)!, o.proto, o.port))
        .map(
          (o) =>
            `${o.address} ${o.proto}/${o.port}: ${o.state}, expected ${expectedState(byHost.get(o.address)!, o.proto, o.port)}`,
        );
      expect(wrong).toEqual([]);
    });

    it('reports exactly the accepted communities of every SNMP agent, v1-only agents included', () => {
      const snmp = new Map(
        observations.filter((o) => o.proto === 'udp' && o.port === 161).map((o) => [o.address, o]),
      );
      for (const h of truth.hosts) {
        const obs = snmp.get(h.address)!;
        expect({ host: h.address, communities: [...(obs.snmp?.communities ?? [])].sort() }).toEqual({
          host: h.address,
          communities: acceptedCommunities(h).sort(),
        });
        if (obs.snmp?.communities.length) expect(obs.snmp.sysName).toBe(h.snmp!.sysName);
      }
      const v1only = truth.hosts.filter((h) => h.snmp?.versions.join() === 'v1');
      expect(v1only.length).toBeGreaterThan(0);
      for (const h of v1only) expect(snmp.get(h.address)!.snmp!.versions!.public).toEqual(['v1']);
    });

    it('reads every SSH banner, HTTP Server header and FTP anonymous-logon result', () => {
      const at = (a: string, proto: string, port: number) =>
        observations.find((o) => o.address === a && o.proto === proto && o.port === port)!;
      let checked = 0;
      for (const h of truth.hosts) {
        for (const [key, banner] of Object.entries(h.banners)) {
          const [proto, port] = key.split('/') as ['tcp', string];
          if (Number(port) > 1024 || !['22', '21', '25', '110', '143'].includes(port)) continue;
          expect({
            key: `${h.address} ${key}`,
            banner: at(h.address, proto, Number(port)).banner?.split('\n')[0],
          }).toEqual({
            key: `${h.address} ${key}`,
            banner: banner.split('\n')[0],
          });
          checked++;
        }
        for (const [key, http] of Object.entries(h.http)) {
          const port = Number(key.split('/')[1]);
          if (port > 1024) continue;
          expect({ key: `${h.address} ${key}`, server: at(h.address, 'tcp', port).http?.server }).toEqual({
            key: `${h.address} ${key}`,
            server: http.server,
          });
          checked++;
        }
        for (const [key, ftp] of Object.entries(h.ftp)) {
          expect({
            key: `${h.address} ${key}`,
            anon: at(h.address, 'tcp', Number(key.split('/')[1])).ftp?.anonymousLogin,
          }).toEqual({
            key: `${h.address} ${key}`,
            anon: ftp.anonymous,
          });
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(30);
    });
  },
);
