// snmpd: one foreground instance per SNMP host, so every host has its own sysName.
import path from 'node:path';

import { hostLabel } from '../config.js';
import type { PlanBuilder } from '../builder.js';
import type { SnmpClass } from '../roles.js';
import type { SnmpTruth, V3User } from '../types.js';
import { writeFile } from '../util.js';

const SECRET_COMMUNITY = 'Xk9-ops-2026';
/**
 * The v3-only agents' USM users, one of each kind the SNMPv3 policy rules look at: a CIS-compliant one
 * (SHA-256 + AES, authPriv only), SHA-1 + AES, MD5 + DES that the access rule also lets in without keys,
 * and a user without keys at all.
 */
const V3_USERS: readonly V3User[] = [
  {
    user: 'labops',
    level: 'authPriv',
    authProtocol: 'SHA',
    authPassword: 'LabAuthPass-2026',
    privProtocol: 'AES',
    privPassword: 'LabPrivPass-2026',
    noAuthAllowed: false,
  },
  {
    user: 'labstrong',
    level: 'authPriv',
    authProtocol: 'SHA-256',
    authPassword: 'LabSha256Pass-2026',
    privProtocol: 'AES',
    privPassword: 'LabAesPass-2026',
    noAuthAllowed: false,
  },
  {
    user: 'labmd5',
    level: 'authPriv',
    authProtocol: 'MD5',
    authPassword: 'LabMd5Pass-2026',
    privProtocol: 'DES',
    privPassword: 'LabDesPass-2026',
    noAuthAllowed: true,
  },
  { user: 'labnoauth', level: 'noAuthNoPriv', noAuthAllowed: true },
];

function createUser(u: V3User): string[] {
  const keys = [
    ...(u.authProtocol ? [`${u.authProtocol} "${u.authPassword}"`] : []),
    ...(u.privProtocol ? [`${u.privProtocol} "${u.privPassword}"`] : []),
  ];
  const least = u.noAuthAllowed ? 'noauth' : u.level === 'authPriv' ? 'priv' : 'auth';
  return [[`createUser ${u.user}`, ...keys].join(' '), `rouser ${u.user} ${least}`];
}

const COMMUNITIES: Record<SnmpClass, Record<string, 'ro' | 'rw'>> = {
  public: { public: 'ro' },
  'public-private': { public: 'ro', private: 'rw' },
  private: { private: 'ro' },
  secret: { [SECRET_COMMUNITY]: 'ro' },
  v1only: { public: 'ro' },
  v3only: {},
};

function versionsOf(cls: SnmpClass): string[] {
  if (cls === 'v1only') return ['v1'];
  if (cls === 'v3only') return ['v3'];
  return ['v1', 'v2c'];
}

function accessLines(cls: SnmpClass): string[] {
  if (cls === 'v1only') {
    // community accepted for SNMPv1 only: the group exists for securityModel v1, so v2c is dropped
    return [
      'com2sec v1net default public',
      'group v1grp v1 v1net',
      'view all included .1',
      'access v1grp "" v1 noauth exact all none none',
    ];
  }
  if (cls === 'v3only') return V3_USERS.flatMap(createUser);
  return Object.entries(COMMUNITIES[cls]).map(([c, mode]) => `${mode}community ${c} default`);
}

export function planSnmp(b: PlanBuilder): void {
  for (const h of b.with((r) => r.snmp)) {
    const cls = h.roles.snmp!;
    const label = hostLabel(h.index);
    const dir = path.join(b.cfg.conf, 'snmp', label);
    const truth: SnmpTruth = {
      class: cls,
      versions: versionsOf(cls),
      communities: { ...COMMUNITIES[cls] },
      v3Users: cls === 'v3only' ? V3_USERS.map((u) => ({ ...u })) : [],
      sysName: `lab-${label}`,
      sysDescr: `fleetqry lab ${label} (snmp class ${cls}) Linux 6.1 x86_64`,
      sysLocation: `fleetqry lab rack ${1 + Math.floor((h.index - 1) / 16)} slot ${h.index}`,
      answersPublic: 'public' in COMMUNITIES[cls],
    };
    const conf = [
      `# fleetqry lab snmpd for ${h.truth.address} (${cls})`,
      `agentaddress udp:${h.truth.address}:161`,
      `sysName ${truth.sysName}`,
      `sysDescr ${truth.sysDescr}`,
      `sysLocation ${truth.sysLocation}`,
      'sysContact noc@lab.fleetqry.test',
      'sysServices 72',
      `engineID fqlab-${label}`,
      'dontLogTCPWrappersConnects yes',
      ...accessLines(cls),
    ];
    writeFile(path.join(dir, 'snmpd.conf'), conf.join('\n') + '\n', 0o600);
    b.launch({
      name: `snmpd-${label}`,
      comm: 'snmpd',
      env: { SNMP_PERSISTENT_DIR: path.join(dir, 'persist'), MIBS: '' },
      cmd: [
        '/usr/sbin/snmpd',
        '-f',
        '-C',
        '-c',
        path.join(dir, 'snmpd.conf'),
        '-Lf',
        path.join(b.cfg.log, `snmpd-${label}.log`),
        '-I',
        '-smux',
        '-m',
        '',
        '-p',
        path.join(b.cfg.run, `snmpd-${label}.daemon.pid`),
      ],
    });
    h.truth.snmp = truth;
    b.listen(h, 'udp', 161, 'snmpd');
    b.tag(h, `snmp-${cls}`);
  }
  for (const h of b.with((r) => r.snmpDropped)) b.tag(h, 'snmp-dropped');
  for (const h of b.with((r) => !r.snmp && !r.snmpDropped)) b.tag(h, 'snmp-closed');
}
