// Shapes shared by the generator, the process manager, the ground-truth writer and the checker.

export type Proto = 'tcp' | 'udp';

export interface Listener {
  proto: Proto;
  addr: string;
  port: number;
  service: string;
}

export interface Launch {
  name: string;
  /** expected /proc/PID/comm of the (foreground) daemon */
  comm: string;
  cmd: string[];
  env?: Record<string, string>;
  /** vsftpd reports start-up errors on fd 0: give it the log file there */
  stdinIsLog?: boolean;
}

/** A USM user of a v3-only agent, in Net-SNMP's spellings (SHA = SHA-1). */
export interface V3User {
  user: string;
  level: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
  authProtocol?: 'MD5' | 'SHA' | 'SHA-256';
  authPassword?: string;
  privProtocol?: 'DES' | 'AES';
  privPassword?: string;
  /** The access rule lets this user in at noAuthNoPriv too (`rouser <user> noauth`): a get with the name alone works. */
  noAuthAllowed: boolean;
}

export interface SnmpTruth {
  class: string;
  versions: string[];
  communities: Record<string, 'ro' | 'rw'>;
  v3Users: V3User[];
  sysName: string;
  sysDescr: string;
  sysLocation: string;
  answersPublic: boolean;
}

export interface HostTruth {
  address: string;
  name: string;
  tags: string[];
  openTcp: number[];
  openUdp: number[];
  filteredTcp: number[];
  filteredUdp: number[];
  snmp: SnmpTruth | null;
  ldap: { baseDN: string; anonymousRootDSE: boolean } | null;
  banners: Record<string, string>;
  http: Record<string, { server: string; tls: boolean }>;
  ftp: Record<string, { anonymous: boolean }>;
  services: Record<string, string>;
}

export interface GroundTruth {
  net: string;
  hostCount: number;
  dnsServer: string;
  domain: string;
  hosts: HostTruth[];
  errors: string[];
}

export interface Plan {
  net: string;
  hostCount: number;
  domain: string;
  dnsServer: string;
  state: string;
  table: string;
  versions: Record<string, string>;
  /** host entries with the planned (not yet observed) open ports */
  hosts: HostTruth[];
  listeners: Listener[];
  launches: Launch[];
  /** addresses that must exist on lo (samba binds only interface addresses) */
  loAddrs: string[];
}
