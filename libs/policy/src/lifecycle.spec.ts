import type { Finding, Observation } from '@fleetqry/contracts';

import { baselinePolicy } from './baseline.js';
import { evaluate } from './evaluate.js';
import { applyLifecycle, coverageOf } from './lifecycle.js';
import { applyWaivers, parseWaiversYaml, type Waiver } from './waivers.js';
import { FLEET_HOSTS, fleetObservations, snmpObs } from './testdata/fleet.js';

const RUN1 = '2026-11-25T10:00:00.000Z';
const RUN2 = '2026-11-26T10:00:00.000Z';

const run = (observations: Observation[], now: string) =>
  evaluate({ observations, hosts: FLEET_HOSTS, policy: baselinePolicy(), now });

const waiver = (over: Partial<Waiver>): Waiver => ({
  id: 'W-1',
  rule: 'snmp.community.public',
  owner: 'netops',
  reason: 'appliance replaced in Q1',
  expiresAt: '2026-12-31T00:00:00Z',
  ...over,
});

describe('waivers', () => {
  const findings = run(fleetObservations(), RUN2);
  const publicKey = 'snmp.community.public|127.20.0.10|udp/161|community=public';

  it.each([
    ['key', { key: publicKey }],
    ['address', { address: '127.20.0.10' }],
    ['cidr', { cidr: '127.20.0.0/28' }],
  ])('an active waiver by %s suppresses the finding and is attached', (_, scope) => {
    const out = applyWaivers(findings, [waiver(scope)], RUN2);
    const f = out.find((x) => x.rule === 'snmp.community.public')!;
    expect(f.status).toBe('waived');
    expect(f.waiver).toEqual({
      id: 'W-1',
      owner: 'netops',
      reason: 'appliance replaced in Q1',
      expiresAt: '2026-12-31T00:00:00.000Z',
    });
    expect(out.filter((x) => x.status === 'waived')).toHaveLength(1);
  });

  it('expired waivers, other rules and other hosts do not apply', () => {
    for (const w of [
      waiver({ key: publicKey, expiresAt: '2026-11-26T09:59:59Z' }),
      waiver({ key: publicKey, expiresAt: RUN2 }), // expires at that instant
      waiver({ rule: 'ftp.anonymous', address: '127.20.0.10' }),
      waiver({ address: '127.20.0.11' }),
      waiver({ cidr: '10.0.0.0/8' }),
    ]) {
      expect(applyWaivers(findings, [w], RUN2).every((f) => f.status === 'new')).toBe(true);
    }
  });

  it('parses a waiver file, naming bad fields', () => {
    const ok = parseWaiversYaml(
      `waivers:\n  - { id: W-9, rule: ftp.anonymous, address: 127.20.0.30, owner: files, reason: public mirror, expiresAt: "2027-01-01T00:00:00+01:00" }\n`,
    );
    expect(ok[0]).toMatchObject({ id: 'W-9', address: '127.20.0.30' });
    expect(() =>
      parseWaiversYaml(
        `waivers:\n  - { id: W-9, rule: ftp.anonymous, owner: o, reason: r, expiresAt: "2027-01-01" }\n`,
      ),
    ).toThrow(
      /^invalid waivers: waivers\[0\]\.expiresAt: expected an ISO 8601 date-time.*; waivers\[0\]\.key: scope the waiver/,
    );
    expect(() =>
      parseWaiversYaml(
        `waivers:\n  - { id: W, rule: r, cidr: 10.0.0.1, owner: o, reason: r, expiresAt: "2027-01-01T00:00:00Z" }\n`,
      ),
    ).toThrow(/waivers\[0\]\.cidr: not a CIDR/);
  });
});

describe('applyLifecycle', () => {
  const observations1 = fleetObservations();
  const previous = applyLifecycle(run(observations1, RUN1), undefined, [], RUN1, observations1).findings;

  it('first run: everything new, nothing resolved', () => {
    expect(previous.length).toBeGreaterThan(0);
    expect(previous.every((f) => f.status === 'new' && f.firstSeen === RUN1 && f.lastSeen === RUN1)).toBe(
      true,
    );
  });

  it('new, persisting (firstSeen kept), resolved (host rescanned) and not-rescanned (host gone)', () => {
    // Run 2: .10 stopped answering public and started answering private; FTP host .30 dropped out of
    // the inventory (not scanned); a new host .70 answers public; everything else unchanged.
    const observations2 = fleetObservations()
      .filter((o) => o.address !== '127.20.0.30')
      .map((o) => (o.address === '127.20.0.10' && o.port === 161 ? snmpObs('127.20.0.10', ['private']) : o))
      .concat(snmpObs('127.20.0.70', ['public']));
    const { findings, notRescanned } = applyLifecycle(
      run(observations2, RUN2),
      previous,
      [],
      RUN2,
      observations2,
    );
    const byKey = new Map(findings.map((f) => [f.key, f]));

    expect(byKey.get('snmp.community.public|127.20.0.10|udp/161|community=public')).toMatchObject({
      status: 'resolved',
      firstSeen: RUN1,
      lastSeen: RUN1,
    });
    expect(byKey.get('snmp.community.private|127.20.0.10|udp/161|community=private')).toMatchObject({
      status: 'new',
      firstSeen: RUN2,
      lastSeen: RUN2,
    });
    expect(byKey.get('snmp.community.public|127.20.0.70|udp/161|community=public')?.status).toBe('new');
    expect(byKey.get('telnet.listening|127.20.0.60|tcp/23')).toMatchObject({
      status: 'persisting',
      firstSeen: RUN1,
      lastSeen: RUN2,
    });
    // The FTP host was not scanned this run: not resolved, not persisting, handed back separately.
    expect([...byKey.keys()].some((k) => k.startsWith('ftp.anonymous'))).toBe(false);
    expect(notRescanned.map((f) => f.key)).toEqual(['ftp.anonymous|127.20.0.30|tcp/21']);
    expect(findings.filter((f) => f.status === 'resolved')).toHaveLength(1);
  });

  it("a host scanned without the finding's port is not resolved either", () => {
    const observations2 = fleetObservations().map((o) =>
      o.address === '127.20.0.60' && o.port === 23 ? { ...o, port: 2323 } : o,
    );
    const { findings, notRescanned } = applyLifecycle(
      run(observations2, RUN2),
      previous,
      [],
      RUN2,
      coverageOf(observations2),
    );
    expect(findings.some((f) => f.rule === 'telnet.listening')).toBe(false);
    expect(notRescanned.map((f) => f.rule)).toEqual(['telnet.listening']);
  });

  it('waived keeps firstSeen; a waiver expiring makes it persisting again; resolved is not re-emitted', () => {
    const w = waiver({ rule: 'telnet.listening', address: '127.20.0.60', expiresAt: '2026-11-30T00:00:00Z' });
    const observations2 = fleetObservations();
    const second = applyLifecycle(run(observations2, RUN2), previous, [w], RUN2, observations2).findings;
    const telnet = second.find((f) => f.rule === 'telnet.listening')!;
    expect(telnet).toMatchObject({ status: 'waived', firstSeen: RUN1, waiver: { id: 'W-1' } });

    const RUN3 = '2026-12-01T10:00:00.000Z';
    const third = applyLifecycle(run(observations2, RUN3), second, [w], RUN3, observations2).findings;
    const again = third.find((f) => f.rule === 'telnet.listening')!;
    expect(again).toMatchObject({ status: 'persisting', firstSeen: RUN1 });
    expect(again.waiver).toBeUndefined();

    // Resolved in run 4; run 5 (still clean) does not report it resolved again.
    const clean = observations2
      .filter((o) => !(o.address === '127.20.0.60' && o.port === 23))
      .concat({
        ...observations2.find((o) => o.port === 23)!,
        state: 'NOT LISTENING',
        reason: 'conn-refused',
      });
    const fourth = applyLifecycle(run(clean, RUN3), third, [], RUN3, clean).findings;
    expect(fourth.find((f) => f.rule === 'telnet.listening')?.status).toBe('resolved');
    const fifth = applyLifecycle(run(clean, RUN3), fourth, [], RUN3, clean).findings;
    expect(fifth.some((f) => f.rule === 'telnet.listening')).toBe(false);
    // ...and if it comes back it is new, with a new firstSeen.
    const sixth = applyLifecycle(run(observations2, RUN3), fourth, [], RUN3, observations2).findings;
    expect(sixth.find((f) => f.rule === 'telnet.listening')).toMatchObject({
      status: 'new',
      firstSeen: RUN3,
    });
  });

  it('output is sorted and each key appears once', () => {
    const observations2 = fleetObservations();
    const { findings } = applyLifecycle(run(observations2, RUN2), previous, [], RUN2, observations2);
    const keys = findings.map((f: Finding) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(findings.every((f) => f.status === 'persisting')).toBe(true);
  });
});
