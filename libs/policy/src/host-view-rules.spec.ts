import type { HostView, LocalSocket } from '@fleetqry/contracts';

import { evaluate } from './evaluate.js';
import { bindCovers, HostViewIndex, isWildcardBind } from './host-view.js';
import { parsePolicyYaml } from './parse.js';
import { PolicyError } from './errors.js';
import { AT, obs } from './testdata/fleet.js';

const HEADER = 'apiVersion: fleetqry/v1\nkind: Policy\nmetadata: { name: t, version: 1 }\nrules:\n';
const policyOf = (...rules: string[]) => parsePolicyYaml(HEADER + rules.map((r) => `  - ${r}\n`).join(''));

function listener(partial: Partial<LocalSocket> & Pick<LocalSocket, 'localPort'>): LocalSocket {
  const proto = partial.proto ?? 'tcp';
  const family = partial.family ?? 'ipv4';
  return {
    proto,
    family,
    localAddress: family === 'ipv4' ? '0.0.0.0' : '::',
    remoteAddress: family === 'ipv4' ? '0.0.0.0' : '::',
    remotePort: 0,
    state: proto === 'tcp' ? 'LISTENING' : null,
    inode: 1000 + partial.localPort,
    pid: 100,
    process: 'sshd',
    ...partial,
  };
}

const view = (...sockets: LocalSocket[]): HostView => ({
  hostname: 'web-1',
  takenAt: '2026-11-26T09:59:00.000Z',
  sockets,
});

describe('host view lookup', () => {
  it('knows wildcard binds and which binds cover an address', () => {
    expect(isWildcardBind('0.0.0.0')).toBe(true);
    expect(isWildcardBind('::')).toBe(true);
    expect(isWildcardBind('127.0.0.1')).toBe(false);
    expect(bindCovers('0.0.0.0', '10.0.0.5')).toBe(true);
    expect(bindCovers('0.0.0.0', '2001:db8::5')).toBe(false);
    expect(bindCovers('::', '10.0.0.5')).toBe(true); // dual-stack (bindv6only = 0)
    expect(bindCovers('10.0.0.5', '::ffff:10.0.0.5')).toBe(true);
    expect(bindCovers('127.0.0.1', '10.0.0.5')).toBe(false);
  });

  it('accepts a Map or an object keyed by any spelling of the address', () => {
    const v = view(listener({ localPort: 22 }));
    expect(new HostViewIndex({ '::ffff:10.0.0.5': v }).view('10.0.0.5')).toBe(v);
    expect(new HostViewIndex(new Map([['2001:DB8:0::5', v]])).view('2001:db8::5')).toBe(v);
    expect(new HostViewIndex(undefined).size).toBe(0);
  });
});

describe('listening-all-interfaces-but-filtered', () => {
  const policy = policyOf(
    '{ id: host.wildcard-filtered, type: listening-all-interfaces-but-filtered, severity: medium, title: w }',
  );
  const hostViews = {
    '10.0.0.5': view(
      listener({
        localPort: 5432,
        process: 'postgres',
        pid: 812,
        unit: 'postgresql@16-main.service',
        user: 'postgres',
      }),
      listener({ localPort: 5432, family: 'ipv6', process: 'postgres', pid: 812 }),
      listener({ localPort: 6379, localAddress: '127.0.0.1', process: 'redis-server', pid: 900 }),
      listener({ localPort: 161, proto: 'udp', process: 'snmpd', pid: 77, unit: 'snmpd.service' }),
    ),
  };

  it('fires when the host binds every interface and the network saw the port filtered', () => {
    const findings = evaluate({
      observations: [
        obs({ address: '10.0.0.5', proto: 'tcp', port: 5432, state: 'FILTERED', reason: 'timeout' }),
        obs({
          address: '10.0.0.5',
          proto: 'udp',
          port: 161,
          state: 'LISTENING or FILTERED',
          reason: 'no-response',
        }),
      ],
      policy,
      now: AT,
      hostViews,
    });
    expect(findings.map((f) => f.key)).toEqual([
      'host.wildcard-filtered|10.0.0.5|tcp/5432',
      'host.wildcard-filtered|10.0.0.5|udp/161',
    ]);
    expect(findings[0]!.evidence).toEqual({
      port: 5432,
      proto: 'tcp',
      state: 'FILTERED',
      observedState: 'FILTERED',
      reason: 'timeout',
      process: 'postgres',
      pid: 812,
      unit: 'postgresql@16-main.service',
      user: 'postgres',
      bindAddress: '0.0.0.0',
      bindAddresses: ['0.0.0.0', '::'],
      hostname: 'web-1',
      hostViewTakenAt: '2026-11-26T09:59:00.000Z',
    });
    expect(findings[1]!.evidence).toMatchObject({ process: 'snmpd', unit: 'snmpd.service', pid: 77 });
  });

  it('does not fire: open port, specific bind, no listener, no host view, other ports, old evaluate calls', () => {
    const run = (o: Parameters<typeof obs>[0], views: typeof hostViews | null = hostViews) =>
      evaluate({ observations: [obs(o)], policy, now: AT, ...(views ? { hostViews: views } : {}) });
    // reachable, so not "filtered"
    expect(run({ address: '10.0.0.5', proto: 'tcp', port: 5432, state: 'LISTENING' })).toEqual([]);
    // bound to loopback only: filtered from the network is expected
    expect(
      run({ address: '10.0.0.5', proto: 'tcp', port: 6379, state: 'FILTERED', reason: 'timeout' }),
    ).toEqual([]);
    // nothing listens on the host
    expect(
      run({ address: '10.0.0.5', proto: 'tcp', port: 8080, state: 'FILTERED', reason: 'timeout' }),
    ).toEqual([]);
    // another address: no host view
    expect(
      run({ address: '10.0.0.6', proto: 'tcp', port: 5432, state: 'FILTERED', reason: 'timeout' }),
    ).toEqual([]);
    // the signature without hostViews still works and never fires these rules
    expect(
      run({ address: '10.0.0.5', proto: 'tcp', port: 5432, state: 'FILTERED', reason: 'timeout' }, null),
    ).toEqual([]);
    // a ports filter and a states list narrow it
    const narrow = policyOf(
      '{ id: w, type: listening-all-interfaces-but-filtered, severity: info, title: w, ports: { tcp: 22 }, states: [FILTERED] }',
    );
    expect(
      evaluate({
        observations: [
          obs({ address: '10.0.0.5', proto: 'tcp', port: 5432, state: 'FILTERED', reason: 'timeout' }),
          obs({
            address: '10.0.0.5',
            proto: 'udp',
            port: 161,
            state: 'LISTENING or FILTERED',
            reason: 'no-response',
          }),
        ],
        policy: narrow,
        now: AT,
        hostViews,
      }),
    ).toEqual([]);
  });
});

describe('unexpected-owner', () => {
  const policy = policyOf(
    '{ id: host.unexpected-owner, type: unexpected-owner, severity: high, title: u, expectedOwners: { "tcp/22": [sshd, dropbear], "tcp/80,443": [nginx, caddy.service], "udp/53": [named] } }',
  );
  const hostViews = new Map([
    [
      '10.0.0.7',
      view(
        listener({ localPort: 22, process: 'python3', pid: 4242, unit: 'backdoor.service', user: 'nobody' }),
        listener({ localPort: 80, process: 'nginx', pid: 10 }),
        listener({ localPort: 443, process: 'caddy', pid: 11, unit: 'caddy.service' }),
        listener({ localPort: 53, proto: 'udp', process: null, pid: null }),
        listener({ localPort: 8080, process: 'java', pid: 12 }),
      ),
    ],
    ['10.0.0.8', view(listener({ localPort: 22, process: 'sshd', pid: 1 }))],
  ]);

  it('fires when a reachable port is owned by a process outside its expected owners', () => {
    const findings = evaluate({
      observations: [obs({ address: '10.0.0.7', proto: 'tcp', port: 22, state: 'LISTENING' })],
      policy,
      now: AT,
      hostViews,
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'host.unexpected-owner',
      severity: 'high',
      key: 'host.unexpected-owner|10.0.0.7|tcp/22|owner=python3',
    });
    expect(findings[0]!.evidence).toEqual({
      port: 22,
      proto: 'tcp',
      state: 'LISTENING',
      process: 'python3',
      pid: 4242,
      unit: 'backdoor.service',
      user: 'nobody',
      bindAddress: '0.0.0.0',
      expectedOwners: ['dropbear', 'sshd'],
      expected: 'tcp/22',
      hostname: 'web-1',
      hostViewTakenAt: '2026-11-26T09:59:00.000Z',
    });
  });

  it('does not fire: expected process or unit, unknown owner, port not named, not reachable, other host', () => {
    const run = (o: Parameters<typeof obs>[0]) =>
      evaluate({ observations: [obs(o)], policy, now: AT, hostViews });
    expect(run({ address: '10.0.0.7', proto: 'tcp', port: 80 })).toEqual([]); // nginx by name
    expect(run({ address: '10.0.0.7', proto: 'tcp', port: 443 })).toEqual([]); // caddy by unit
    expect(run({ address: '10.0.0.7', proto: 'udp', port: 53 })).toEqual([]); // owner not visible to the agent
    expect(run({ address: '10.0.0.7', proto: 'tcp', port: 8080 })).toEqual([]); // no expectation for 8080
    expect(
      run({ address: '10.0.0.7', proto: 'tcp', port: 22, state: 'FILTERED', reason: 'timeout' }),
    ).toEqual([]);
    expect(run({ address: '10.0.0.8', proto: 'tcp', port: 22 })).toEqual([]); // sshd
    expect(run({ address: '10.0.0.9', proto: 'tcp', port: 22 })).toEqual([]); // no host view
  });

  it('rejects malformed expectedOwners keys with the field path', () => {
    expect(() =>
      policyOf(
        '{ id: u, type: unexpected-owner, severity: high, title: u, expectedOwners: { "ssh": [sshd] } }',
      ),
    ).toThrow(PolicyError);
    try {
      policyOf(
        '{ id: u, type: unexpected-owner, severity: high, title: u, expectedOwners: { "tcp/99999": [sshd] } }',
      );
    } catch (e) {
      expect((e as PolicyError).issues[0]!.path).toContain('rules[0].expectedOwners');
    }
    expect(() =>
      policyOf('{ id: u, type: unexpected-owner, severity: high, title: u, expectedOwners: {} }'),
    ).toThrow(PolicyError);
  });
});
