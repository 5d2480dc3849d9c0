// Which simulated host runs what, by host index only (pure; works for any N >= 16).
// Every block of 16 hosts has the same layout; a few one-off roles live in block 0.

export type SnmpClass = 'public' | 'public-private' | 'private' | 'secret' | 'v1only' | 'v3only';

export interface Roles {
  snmp?: SnmpClass;
  snmpDropped?: boolean;
  openssh?: boolean;
  dropbear?: boolean;
  ciscoSsh?: boolean;
  nginx80?: 'tokens-on' | 'tokens-off' | 'iis';
  nginx443?: 'tokens-on' | 'tokens-off';
  lighttpd?: boolean;
  pyhttp?: boolean;
  redis?: boolean;
  ldap?: boolean;
  dns?: boolean;
  ftp?: 'anonymous' | 'no-anonymous';
  mail?: boolean;
  telnet?: boolean;
  msrpc?: boolean;
  filteredTcp?: number[];
  filteredUdp?: number[];
}

const SNMP_BY_MOD8: Record<number, SnmpClass | 'dropped' | 'closed'> = {
  1: 'public',
  2: 'public-private',
  3: 'private',
  4: 'secret',
  5: 'v1only',
  6: 'v3only',
  7: 'dropped',
  0: 'closed',
};

const FILTERED_TCP = [21, 23, 445, 3389];
export const DNS_SERVER_INDEX = 7;
const MSRPC_INDEX = 10;

export function rolesFor(i: number): Roles {
  const r: Roles = {};
  const snmp = SNMP_BY_MOD8[i % 8];
  if (snmp === 'dropped') r.snmpDropped = true;
  else if (snmp && snmp !== 'closed') r.snmp = snmp;
  const j = ((i - 1) % 16) + 1; // position inside the block of 16
  const block = Math.floor((i - 1) / 16);
  switch (j) {
    case 1:
      r.openssh = true;
      break;
    case 2:
      r.nginx80 = 'tokens-on';
      r.nginx443 = 'tokens-on';
      break;
    case 3:
      r.dropbear = true;
      r.lighttpd = true;
      break;
    case 4:
      r.ftp = 'anonymous';
      break;
    case 5:
      r.openssh = true;
      r.pyhttp = true;
      break;
    case 6:
      r.nginx80 = 'tokens-off';
      r.filteredTcp = [...FILTERED_TCP];
      break;
    case 7:
      r.dns = true;
      break;
    case 8:
      if (block % 2 === 0) r.telnet = true; // odd blocks: nothing open at all
      break;
    case 9:
      r.openssh = true;
      r.redis = true;
      break;
    case 10:
      r.nginx80 = 'tokens-off';
      r.nginx443 = 'tokens-off';
      if (i === MSRPC_INDEX) r.msrpc = true;
      break;
    case 11:
      r.lighttpd = true;
      r.mail = true;
      break;
    case 12:
      r.ldap = true;
      r.ftp = 'no-anonymous';
      break;
    case 13:
      r.openssh = true;
      r.dns = true;
      break;
    case 14:
      r.nginx80 = 'iis';
      r.filteredTcp = [...FILTERED_TCP];
      break;
    case 15:
      r.ciscoSsh = true;
      r.filteredUdp = [53];
      break;
    default: // 16: nothing open at all
      break;
  }
  if (r.snmpDropped) r.filteredUdp = [...(r.filteredUdp ?? []), 161];
  return r;
}
