import type { Finding } from '@fleetqry/contracts';

import { baselinePolicy } from './baseline.js';
import { compilePolicy } from './compile.js';
import { evaluate, findingKey } from './evaluate.js';
import { parsePolicyYaml } from './parse.js';
import { AT, FLEET_HOSTS, fleetObservations, obs, SLAPD_ROOTDSE, snmpObs } from './testdata/fleet.js';

const HEADER = 'apiVersion: fleetqry/v1\nkind: Policy\nmetadata: { name: t, version: 1 }\nrules:\n';
const policyOf = (...rules: string[]) => parsePolicyYaml(HEADER + rules.map((r) => `  - ${r}\n`).join(''));
const ids = (fs: Finding[]) => fs.map((f) => `${f.rule} ${f.address} ${f.proto}/${f.port}`);

describe('snmp-community', () => {
  const policy = policyOf(
    '{ id: c.public, type: snmp-community, severity: critical, title: p, communities: [public] }',
    '{ id: c.empty, type: snmp-community, severity: high, title: e, empty: true }',
  );

  it('fires on the accepted community only, with evidence limited to it', () => {
    const [f, ...rest] = evaluate({
      observations: [snmpObs('10.0.0.1', ['public', 'n0tS3cret'])],
      policy,
      now: AT,
    });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      rule: 'c.public',
      severity: 'critical',
      key: 'c.public|10.0.0.1|udp/161|community=public',
    });
    expect(f!.evidence).toEqual({
      port: 161,
      proto: 'udp',
      state: 'LISTENING',
      service: 'snmp',
      communities: ['public'],
      versions: ['v1', 'v2c'],
      sysDescr: expect.stringContaining('Linux'),
      sysName: 'snmp-10.0.0.1',
      sysObjectID: '1.3.6.1.4.1.8072.3.2.10',
    });
    expect(JSON.stringify(f)).not.toContain('n0tS3cret');
  });

  it('is case-sensitive, fires on the empty community, not on rejected or missing SNMP data', () => {
    expect(evaluate({ observations: [snmpObs('10.0.0.1', ['Public', 'PUBLIC'])], policy, now: AT })).toEqual(
      [],
    );
    expect(ids(evaluate({ observations: [snmpObs('10.0.0.1', [''])], policy, now: AT }))).toEqual([
      'c.empty 10.0.0.1 udp/161',
    ]);
    expect(evaluate({ observations: [snmpObs('10.0.0.1', [])], policy, now: AT })).toEqual([]);
    // UDP 161 probed, but no SNMP query ran (no snmp data): nothing is proven.
    const silent = obs({
      address: '10.0.0.1',
      proto: 'udp',
      port: 161,
      state: 'LISTENING or FILTERED',
      reason: 'no-response',
    });
    expect(evaluate({ observations: [silent], policy, now: AT })).toEqual([]);
  });
});

describe('snmp-version-requires-v3', () => {
  const policy = policyOf(
    '{ id: v3, type: snmp-version-requires-v3, severity: high, title: t, appliesTo: { tags: [snmpv3-required] } }',
  );
  const hosts = [{ address: '10.0.0.1', tags: ['snmpv3-required'] }, { address: '10.0.0.2' }];

  it('fires on tagged hosts answering v1/v2c, without naming communities', () => {
    const fs = evaluate({
      observations: [snmpObs('10.0.0.1', ['s3cr3t']), snmpObs('10.0.0.2', ['s3cr3t'])],
      hosts,
      policy,
      now: AT,
    });
    expect(ids(fs)).toEqual(['v3 10.0.0.1 udp/161']);
    expect(fs[0]!.evidence).toMatchObject({ versions: ['v1', 'v2c'], acceptedCommunities: 1 });
    expect(JSON.stringify(fs)).not.toContain('s3cr3t');
  });

  it('does not fire when every community was rejected or versions prove nothing forbidden', () => {
    expect(evaluate({ observations: [snmpObs('10.0.0.1', [])], hosts, policy, now: AT })).toEqual([]);
    const onlyV1 = policyOf(
      '{ id: v3, type: snmp-version-requires-v3, severity: high, title: t, versions: [v1] }',
    );
    const v2cOnly = snmpObs('10.0.0.1', ['x']);
    v2cOnly.snmp!.versions = { x: ['v2c'] };
    expect(evaluate({ observations: [v2cOnly], policy: onlyV1, now: AT })).toEqual([]);
    delete v2cOnly.snmp!.versions; // version not recorded: v1 alone cannot be proven
    expect(evaluate({ observations: [v2cOnly], policy: onlyV1, now: AT })).toEqual([]);
  });
});

describe('port-forbidden / port-required', () => {
  const policy = policyOf(
    '{ id: port.forbidden, check: rsh, type: port-forbidden, severity: medium, title: r, ports: { tcp: "512-514" } }',
    '{ id: port.forbidden, check: tftp, type: port-forbidden, severity: medium, title: tftp, ports: { udp: 69 } }',
    '{ id: port.required, check: dns, type: port-required, severity: medium, title: dns, appliesTo: { tags: [dns] }, ports: { udp: 53 } }',
  );
  const hosts = [{ address: '10.0.0.5', tags: ['dns'] }];

  it('forbidden fires on LISTENING only and says which check and ports', () => {
    const fs = evaluate({
      observations: [
        obs({ address: '10.0.0.5', proto: 'tcp', port: 514 }),
        obs({ address: '10.0.0.5', proto: 'tcp', port: 513, state: 'NOT LISTENING', reason: 'conn-refused' }),
        obs({
          address: '10.0.0.5',
          proto: 'udp',
          port: 69,
          state: 'LISTENING or FILTERED',
          reason: 'no-response',
        }),
        obs({ address: '10.0.0.5', proto: 'udp', port: 514 }),
      ],
      hosts,
      policy,
      now: AT,
    });
    expect(ids(fs)).toEqual(['port.forbidden 10.0.0.5 tcp/514']);
    expect(fs[0]!.evidence).toEqual({
      port: 514,
      proto: 'tcp',
      state: 'LISTENING',
      reason: 'syn-ack',
      forbidden: 'tcp:512-514',
      check: 'rsh',
    });
  });

  it('required fires only for probed ports that are not LISTENING, on selected hosts', () => {
    const down = obs({
      address: '10.0.0.5',
      proto: 'udp',
      port: 53,
      state: 'FILTERED',
      reason: 'no-response',
    });
    const fs = evaluate({
      observations: [down, { ...down, address: '10.0.0.6', host: '10.0.0.6' }],
      hosts,
      policy,
      now: AT,
    });
    expect(ids(fs)).toEqual(['port.required 10.0.0.5 udp/53']);
    expect(fs[0]!.evidence).toMatchObject({ state: 'FILTERED', required: 'udp:53', check: 'dns' });
    // Not probed at all (another port only) → nothing; LISTENING → nothing.
    expect(
      evaluate({
        observations: [obs({ address: '10.0.0.5', proto: 'tcp', port: 22 })],
        hosts,
        policy,
        now: AT,
      }),
    ).toEqual([]);
    expect(
      evaluate({
        observations: [{ ...down, state: 'LISTENING', reason: 'protocol-response' }],
        hosts,
        policy,
        now: AT,
      }),
    ).toEqual([]);
  });

  it('states can widen what counts as open', () => {
    const wide = policyOf(
      '{ id: f, type: port-forbidden, severity: low, title: t, ports: { udp: 69 }, states: [LISTENING, "LISTENING or FILTERED"] }',
    );
    const silent = obs({
      address: '10.0.0.5',
      proto: 'udp',
      port: 69,
      state: 'LISTENING or FILTERED',
      reason: 'no-response',
    });
    expect(ids(evaluate({ observations: [silent], policy: wide, now: AT }))).toEqual(['f 10.0.0.5 udp/69']);
  });
});

describe('banner-match', () => {
  const policy = policyOf(
    '{ id: banner.mismatch, check: iis, type: banner-match, severity: medium, title: t, appliesTo: { tags: [iis] }, source: http-server, ports: { tcp: "80,443" }, mustMatch: "^Microsoft-IIS(/|$)" }',
    '{ id: banner.mismatch, type: banner-match, severity: high, title: old ftp, mustNotMatch: "vsftpd 2\\\\.3\\\\.4", ignoreCase: true }',
  );
  const hosts = [{ address: '10.0.0.7', tags: ['iis'] }];
  const http = (server: string | undefined, port = 80) =>
    obs({
      address: '10.0.0.7',
      proto: 'tcp',
      port,
      http: { tls: port === 443, statusCode: 200, ...(server ? { server } : {}) },
    });

  it('flags an iis host whose Server says nginx, with the value and the pattern', () => {
    const [f, ...rest] = evaluate({ observations: [http('nginx/1.22.1')], hosts, policy, now: AT });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ rule: 'banner.mismatch', key: 'banner.mismatch|10.0.0.7|tcp/80|iis' });
    expect(f!.evidence).toEqual({
      port: 80,
      proto: 'tcp',
      state: 'LISTENING',
      source: 'http-server',
      value: 'nginx/1.22.1',
      mustMatch: '^Microsoft-IIS(/|$)',
      check: 'iis',
    });
  });

  it('does not fire on IIS, untagged hosts, other ports or a missing header', () => {
    const quiet = [http('Microsoft-IIS/10.0'), http(undefined), http('Apache/2.4.57', 8080)];
    expect(evaluate({ observations: quiet, hosts, policy, now: AT })).toEqual([]);
    expect(evaluate({ observations: [http('Apache/2.4.57')], policy, now: AT })).toEqual([]);
  });

  it('mustNotMatch on a plain banner, case-insensitive, subject is the pattern', () => {
    const ftp = obs({ address: '10.0.0.8', proto: 'tcp', port: 21, banner: '220 (vsFTPd 2.3.4)' });
    const fs = evaluate({
      observations: [ftp, { ...ftp, address: '10.0.0.9', banner: '220 (vsFTPd 3.0.3)' }],
      policy,
      now: AT,
    });
    expect(fs.map((f) => f.key)).toEqual(['banner.mismatch|10.0.0.8|tcp/21|mustNotMatch=vsftpd 2\\.3\\.4']);
    expect(fs[0]!.evidence).toMatchObject({
      source: 'banner',
      value: '220 (vsFTPd 2.3.4)',
      ignoreCase: true,
    });
  });
});

describe('ftp-anonymous and ldap-anonymous-rootdse', () => {
  const policy = policyOf(
    '{ id: ftp.anonymous, type: ftp-anonymous, severity: high, title: t }',
    '{ id: ldap.anon, type: ldap-anonymous-rootdse, severity: info, title: t, appliesTo: { notTags: [dc] } }',
  );

  it('ftp fires on an accepted anonymous logon only', () => {
    const yes = obs({
      address: '10.0.1.1',
      proto: 'tcp',
      port: 21,
      banner: '220 (vsFTPd 3.0.3)',
      ftp: { anonymousLogin: true, loginReply: '230 Login successful.' },
    });
    const no = obs({
      address: '10.0.1.2',
      proto: 'tcp',
      port: 21,
      ftp: { anonymousLogin: false, loginReply: '530 Login incorrect.' },
    });
    const fs = evaluate({
      observations: [yes, no, obs({ address: '10.0.1.3', proto: 'tcp', port: 21 })],
      policy,
      now: AT,
    });
    expect(ids(fs)).toEqual(['ftp.anonymous 10.0.1.1 tcp/21']);
    expect(fs[0]!.evidence).toEqual({
      port: 21,
      proto: 'tcp',
      state: 'LISTENING',
      anonymousLogin: true,
      loginReply: '230 Login successful.',
      banner: '220 (vsFTPd 3.0.3)',
    });
  });

  it('ldap fires outside dc-tagged hosts (and on hosts missing from the inventory)', () => {
    const ldap = (address: string) =>
      obs({ address, proto: 'tcp', port: 389, ldap: { rootDSE: SLAPD_ROOTDSE } });
    const hosts = [
      { address: '10.0.2.1', tags: ['dc'] },
      { address: '10.0.2.2', tags: ['linux'] },
    ];
    const fs = evaluate({
      observations: [
        ldap('10.0.2.1'),
        ldap('10.0.2.2'),
        ldap('10.0.2.3'),
        obs({ address: '10.0.2.4', proto: 'tcp', port: 389, ldap: { rootDSE: {} } }),
      ],
      hosts,
      policy,
      now: AT,
    });
    expect(ids(fs)).toEqual(['ldap.anon 10.0.2.2 tcp/389', 'ldap.anon 10.0.2.3 tcp/389']);
    expect(fs[1]!.tags).toEqual([]);
    expect(fs[0]!.evidence).toMatchObject({
      attributes: expect.arrayContaining(['namingContexts', 'supportedControl']),
      rootDSE: { namingContexts: ['dc=lab,dc=example'], supportedLDAPVersion: ['3'] },
    });
  });
});

describe('evaluate', () => {
  it('joins inventory by address, CIDR block and hostname; most specific owner wins', () => {
    const policy = policyOf(
      '{ id: a, type: ftp-anonymous, severity: high, title: t, appliesTo: { tags: [blk], groups: [plant], hosts: [10.9.0.0/16] } }',
    );
    const hosts = [
      { address: '10.9.0.0/16', tags: ['blk'], owner: 'wide', groups: ['plant'] },
      { address: '10.9.1.0/24', owner: 'narrow' },
      { address: 'ftp.plant.example', tags: ['named'] },
    ];
    const o = obs({
      address: '10.9.1.7',
      host: 'ftp.plant.example',
      proto: 'tcp',
      port: 21,
      ftp: { anonymousLogin: true },
    });
    const [f] = evaluate({
      observations: [o, obs({ ...o, address: '10.8.0.1', host: '10.8.0.1' })],
      hosts,
      policy,
      now: AT,
    });
    expect(f).toMatchObject({
      address: '10.9.1.7',
      host: 'ftp.plant.example',
      owner: 'narrow',
      tags: ['blk', 'named'],
    });
  });

  it('is deterministic: sorted by severity, rule, numeric address; duplicates collapse to one key', () => {
    const policy = policyOf(
      '{ id: p, type: port-forbidden, severity: low, title: t, ports: { tcp: 23 } }',
      '{ id: p, check: again, type: port-forbidden, severity: high, title: t2, ports: { tcp: "1-100" } }',
      '{ id: f, type: ftp-anonymous, severity: critical, title: t }',
    );
    const observations = [
      obs({ address: '10.0.0.10', proto: 'tcp', port: 23 }),
      obs({ address: '10.0.0.9', proto: 'tcp', port: 23 }),
      obs({ address: '10.0.0.9', proto: 'tcp', port: 23 }), // retried chunk
      obs({ address: '10.0.0.10', proto: 'tcp', port: 21, ftp: { anonymousLogin: true } }),
    ];
    const a = evaluate({ observations, policy, now: AT });
    const b = evaluate({
      observations: [...observations].reverse(),
      policy: compilePolicy(policy),
      now: new Date(AT),
    });
    expect(a).toEqual(b);
    expect(a.map((f) => `${f.severity} ${f.key}`)).toEqual([
      'critical f|10.0.0.10|tcp/21',
      'high p|10.0.0.9|tcp/23',
      'high p|10.0.0.10|tcp/21',
      'high p|10.0.0.10|tcp/23',
    ]);
    expect(a[1]!.evidence['check']).toBe('again'); // the more severe entry won the shared key
    expect(findingKey('p', '10.0.0.9', 'tcp', 23, '')).toBe(a[1]!.key);
  });
});

describe('baseline policy on a fleet', () => {
  const findings = evaluate({
    observations: fleetObservations(),
    hosts: FLEET_HOSTS,
    policy: baselinePolicy(),
    now: AT,
  });

  it('flags exactly the violating hosts', () => {
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.address} ${f.proto}/${f.port}`)).toEqual([
      'critical snmp.community.public 127.20.0.10 udp/161',
      'high ftp.anonymous 127.20.0.30 tcp/21',
      'high snmp.v1v2c-where-v3-required 127.20.0.11 udp/161',
      'high telnet.listening 127.20.0.60 tcp/23',
      'medium banner.mismatch 127.20.0.20 tcp/80',
      'medium port.forbidden 127.20.0.60 tcp/514',
      'medium port.required 127.20.0.50 udp/53',
      'info ldap.anonymous-rootdse 127.20.0.41 tcp/389',
    ]);
  });

  it('the host answering public has exactly one critical finding, with evidence', () => {
    const critical = findings.filter((f) => f.severity === 'critical');
    expect(critical).toHaveLength(1);
    expect(critical[0]).toEqual({
      rule: 'snmp.community.public',
      severity: 'critical',
      host: '127.20.0.10',
      address: '127.20.0.10',
      proto: 'udp',
      port: 161,
      title: 'SNMP agent accepts the community "public"',
      evidence: {
        port: 161,
        proto: 'udp',
        state: 'LISTENING',
        service: 'snmp',
        communities: ['public'],
        versions: ['v1', 'v2c'],
        sysDescr: 'Linux lab-snmp 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64',
        sysName: 'snmp-127.20.0.10',
        sysObjectID: '1.3.6.1.4.1.8072.3.2.10',
      },
      key: 'snmp.community.public|127.20.0.10|udp/161|community=public',
      status: 'new',
      tags: ['lab', 'linux'],
      owner: 'netops',
      references: ['CVE-1999-0517'],
      firstSeen: AT,
      lastSeen: AT,
    });
  });
});
