import type { Finding, SnmpV3UserResult } from '@fleetqry/contracts';

import { baselinePolicy } from './baseline.js';
import { evaluate } from './evaluate.js';
import { parsePolicyYaml } from './parse.js';
import { AT, snmpObs } from './testdata/fleet.js';

/**
 * The v3 users below are what the probe reported against the snmpd agents of
 * libs/probe/src/protocols/snmp/v3-user.int-spec.ts (weak: one user of each kind CIS objects to; strong:
 * SHA-256 + AES, authPriv only), plus the refusals that must prove nothing.
 */
const WEAK: SnmpV3UserResult[] = [
  { user: 'fq-noauth', level: 'noAuthNoPriv', outcome: 'accepted' },
  {
    user: 'fq-md5des',
    credential: 'credential:11111111-1111-4111-8111-111111111111',
    level: 'authPriv',
    authProtocol: 'md5',
    privProtocol: 'des',
    outcome: 'accepted',
    noAuthAccepted: true,
  },
  { user: 'fq-sha1', level: 'authNoPriv', authProtocol: 'sha', outcome: 'accepted', noAuthAccepted: false },
];
const STRONG: SnmpV3UserResult[] = [
  {
    user: 'fq-strong',
    level: 'authPriv',
    authProtocol: 'sha256',
    privProtocol: 'aes',
    outcome: 'accepted',
    noAuthAccepted: false,
  },
];

const v3Obs = (address: string, v3Users: SnmpV3UserResult[]) => {
  const o = snmpObs(address, []);
  o.snmp!.v3Users = v3Users;
  return o;
};
const keys = (fs: Finding[]) => fs.map((f) => f.key).sort();

describe('snmp-v3-security (baseline)', () => {
  const policy = baselinePolicy();

  it('a weak agent: noAuthNoPriv, no privacy, MD5 and SHA-1, DES — one finding per user and rule', () => {
    const fs = evaluate({ observations: [v3Obs('10.0.0.1', WEAK)], policy, now: AT });
    expect(keys(fs)).toEqual([
      'snmp.v3.auth-weak|10.0.0.1|udp/161|user=fq-md5des',
      'snmp.v3.auth-weak|10.0.0.1|udp/161|user=fq-sha1',
      'snmp.v3.no-privacy|10.0.0.1|udp/161|user=fq-sha1',
      'snmp.v3.noauth|10.0.0.1|udp/161|user=fq-md5des',
      'snmp.v3.noauth|10.0.0.1|udp/161|user=fq-noauth',
      'snmp.v3.priv-des|10.0.0.1|udp/161|user=fq-md5des',
    ]);
    const des = fs.find((f) => f.rule === 'snmp.v3.priv-des')!;
    expect(des.severity).toBe('medium');
    expect(des.evidence).toMatchObject({
      user: 'fq-md5des',
      credential: 'credential:11111111-1111-4111-8111-111111111111',
      weaknesses: ['priv=des'],
      level: 'authPriv',
      authProtocol: 'md5',
      privProtocol: 'des',
      outcome: 'accepted',
      noAuthAccepted: true,
    });
    expect(
      fs.find((f) => f.key.startsWith('snmp.v3.noauth|10.0.0.1|udp/161|user=fq-md5des'))!.evidence,
    ).toMatchObject({ weaknesses: ['level=noAuthNoPriv'] });
  });

  it('a CIS-compliant agent (SHA-256 + AES, authPriv only): nothing', () => {
    expect(evaluate({ observations: [v3Obs('10.0.0.2', STRONG)], policy, now: AT })).toEqual([]);
  });

  it('refusals prove nothing about the agent; authorizationError is still an authenticated exchange', () => {
    const refused = WEAK.map((u) => ({ ...u, outcome: 'wrong-digest' as const, noAuthAccepted: false }));
    expect(evaluate({ observations: [v3Obs('10.0.0.1', refused)], policy, now: AT })).toEqual([]);
    const silent = WEAK.map(({ noAuthAccepted: _n, ...u }) => ({ ...u, outcome: 'no-response' as const }));
    expect(evaluate({ observations: [v3Obs('10.0.0.1', silent)], policy, now: AT })).toEqual([]);
    const denied = [{ ...WEAK[1]!, outcome: 'authorization-error' as const, noAuthAccepted: false }];
    expect(keys(evaluate({ observations: [v3Obs('10.0.0.1', denied)], policy, now: AT }))).toEqual([
      'snmp.v3.auth-weak|10.0.0.1|udp/161|user=fq-md5des',
      'snmp.v3.priv-des|10.0.0.1|udp/161|user=fq-md5des',
    ]);
  });
});

describe('snmp-v3-security rule documents', () => {
  const HEADER = 'apiVersion: fleetqry/v1\nkind: Policy\nmetadata: { name: t, version: 1 }\nrules:\n';

  it('needs a criterion, and names the field of a bad one', () => {
    expect(() =>
      parsePolicyYaml(`${HEADER}  - { id: v3, type: snmp-v3-security, severity: high, title: t }\n`),
    ).toThrow(/levels: name levels, authProtocols or privProtocols/);
    expect(() =>
      parsePolicyYaml(
        `${HEADER}  - { id: v3, type: snmp-v3-security, severity: high, title: t, levels: [authPriv] }\n`,
      ),
    ).toThrow(/rules\[0\]\.levels\[0\]/);
    expect(() =>
      parsePolicyYaml(
        `${HEADER}  - { id: v3, type: snmp-v3-security, severity: high, title: t, authProtocols: [sha3] }\n`,
      ),
    ).toThrow(/rules\[0\]\.authProtocols\[0\]/);
  });

  it('a site rule asking for SHA-512 only flags SHA-256', () => {
    const policy = parsePolicyYaml(
      `${HEADER}  - { id: site.v3, type: snmp-v3-security, severity: low, title: t, authProtocols: [md5, sha, sha224, sha256] }\n`,
    );
    expect(keys(evaluate({ observations: [v3Obs('10.0.0.2', STRONG)], policy, now: AT }))).toEqual([
      'site.v3|10.0.0.2|udp/161|user=fq-strong',
    ]);
  });
});
