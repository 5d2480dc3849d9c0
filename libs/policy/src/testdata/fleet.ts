import type { Observation } from '@fleetqry/contracts';

import type { PolicyHost } from '../evaluate.js';

/**
 * Observations shaped like the probe's output on the fleet lab (values copied from its recorded
 * testdata and lab daemons: net-snmp 5.9 snmpd, vsftpd 3.0.3, slapd 2.5, nginx 1.22, lighttpd).
 */
export const AT = '2026-11-26T10:00:00.000Z';

export function obs(partial: Partial<Observation> & Pick<Observation, 'address' | 'proto' | 'port'>): Observation {
  return {
    host: partial.address,
    state: 'LISTENING',
    reason: partial.proto === 'tcp' ? 'syn-ack' : 'protocol-response',
    observedAt: AT,
    ...partial,
  };
}

const SYSDESCR = 'Linux lab-snmp 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64';

export function snmpObs(address: string, accepted: string[], extra: Partial<Observation> = {}): Observation {
  const answered = accepted.length > 0;
  return obs({
    address,
    proto: 'udp',
    port: 161,
    service: 'snmp',
    state: answered ? 'LISTENING' : 'FILTERED',
    reason: answered ? 'protocol-response' : 'no-response',
    protocol: {
      name: 'snmp',
      status: answered ? 'success' : 'rejected',
      detail: `${accepted.length} of 3 communities accepted`,
      durationMs: 12,
    },
    snmp: {
      communities: accepted,
      versions: Object.fromEntries(accepted.map((c) => [c, ['v1', 'v2c'] as ('v1' | 'v2c')[]])),
      rejectedCount: 3 - accepted.length,
      ...(answered ? { sysDescr: SYSDESCR, sysName: `snmp-${address}`, sysObjectID: '1.3.6.1.4.1.8072.3.2.10' } : {}),
    },
    ...extra,
  });
}

export const SLAPD_ROOTDSE: Record<string, string[]> = {
  objectClass: ['top', 'OpenLDAProotDSE'],
  structuralObjectClass: ['OpenLDAProotDSE'],
  configContext: ['cn=config'],
  namingContexts: ['dc=lab,dc=example'],
  supportedControl: ['2.16.840.1.113730.3.4.18', '1.2.840.113556.1.4.319', '1.3.6.1.1.12'],
  supportedLDAPVersion: ['3'],
  supportedSASLMechanisms: ['DIGEST-MD5', 'CRAM-MD5'],
  entryDN: [''],
  subschemaSubentry: ['cn=Subschema'],
};

/** A small fleet: one address per kind of host in the lab. */
export const FLEET_HOSTS: PolicyHost[] = [
  { address: '127.20.0.10', tags: ['linux'], owner: 'netops' }, // snmpd answering public
  { address: '127.20.0.11', tags: ['linux', 'snmpv3-required'], owner: 'netops' }, // agent answering only a custom community
  { address: '127.20.0.12', tags: ['linux'], owner: 'netops' }, // snmpd, every community rejected
  { address: '127.20.0.20', tags: ['iis', 'web'], owner: 'web-team' }, // "IIS" host actually running nginx
  { address: '127.20.0.21', tags: ['iis', 'web'], owner: 'web-team' }, // genuine IIS
  { address: '127.20.0.30', tags: ['ftp'], owner: 'files' }, // vsftpd with anonymous enabled
  { address: '127.20.0.31', tags: ['ftp'], owner: 'files' }, // vsftpd with anonymous disabled
  { address: '127.20.0.40', tags: ['dc'], owner: 'identity' }, // slapd on a DC
  { address: '127.20.0.41', tags: ['linux'], owner: 'apps' }, // slapd elsewhere
  { address: '127.20.0.50', tags: ['dns'], owner: 'netops' }, // dnsmasq stopped: 53/udp not listening
  { address: '127.20.0.60', tags: ['legacy'], owner: 'plant' }, // telnet + rsh
  { address: '127.20.0.0/24', tags: ['lab'] },
];

export function fleetObservations(): Observation[] {
  return [
    snmpObs('127.20.0.10', ['public']),
    snmpObs('127.20.0.11', ['s3cr3t-ro']),
    snmpObs('127.20.0.12', []),
    obs({ address: '127.20.0.20', proto: 'tcp', port: 80, service: 'http', http: { statusCode: 200, server: 'nginx/1.22.1', tls: false }, banner: 'nginx/1.22.1' }),
    obs({ address: '127.20.0.21', proto: 'tcp', port: 80, service: 'http', http: { statusCode: 200, server: 'Microsoft-IIS/10.0', tls: false }, banner: 'Microsoft-IIS/10.0' }),
    obs({
      address: '127.20.0.30',
      proto: 'tcp',
      port: 21,
      service: 'ftp',
      banner: '220 (vsFTPd 3.0.3)',
      ftp: { anonymousLogin: true, loginReply: '230 Login successful.' },
    }),
    obs({
      address: '127.20.0.31',
      proto: 'tcp',
      port: 21,
      service: 'ftp',
      banner: '220 (vsFTPd 3.0.3)',
      ftp: { anonymousLogin: false, loginReply: '530 Login incorrect.' },
    }),
    obs({ address: '127.20.0.40', proto: 'tcp', port: 389, service: 'ldap', ldap: { rootDSE: SLAPD_ROOTDSE } }),
    obs({ address: '127.20.0.41', proto: 'tcp', port: 389, service: 'ldap', ldap: { rootDSE: SLAPD_ROOTDSE } }),
    obs({ address: '127.20.0.50', proto: 'udp', port: 53, service: 'domain', state: 'NOT LISTENING', reason: 'icmp-port-unreachable' }),
    obs({ address: '127.20.0.60', proto: 'tcp', port: 23, service: 'telnet', banner: '\\xff\\xfd\\x18' }),
    obs({ address: '127.20.0.60', proto: 'tcp', port: 514, service: 'shell' }),
    obs({ address: '127.20.0.60', proto: 'tcp', port: 22, service: 'ssh', ssh: { protoVersion: '2.0', software: 'OpenSSH_9.2p1' }, banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' }),
    obs({ address: '127.20.0.60', proto: 'udp', port: 69, service: 'tftp', state: 'LISTENING or FILTERED', reason: 'no-response' }),
  ];
}
