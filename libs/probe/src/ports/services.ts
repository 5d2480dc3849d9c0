import type { Proto } from '@fleetqry/contracts';

/**
 * Port ↔ service names, in the spirit of PortQry's built-in services list (which follows the
 * Windows `services` file, hence `epmap` for 135 and `nameserver` for 42). Canonical name first;
 * aliases are accepted in port specs (`dns`, `msrpc`) but never printed.
 */
interface ServiceEntry {
  name: string;
  port: number;
  protos: readonly Proto[];
  aliases?: readonly string[];
}

const T: readonly Proto[] = ['tcp'];
const U: readonly Proto[] = ['udp'];
const TU: readonly Proto[] = ['tcp', 'udp'];

const SERVICE_TABLE: readonly ServiceEntry[] = [
  { name: 'echo', port: 7, protos: TU },
  { name: 'discard', port: 9, protos: TU },
  { name: 'daytime', port: 13, protos: TU },
  { name: 'qotd', port: 17, protos: TU },
  { name: 'chargen', port: 19, protos: TU },
  { name: 'ftp-data', port: 20, protos: T },
  { name: 'ftp', port: 21, protos: T },
  { name: 'ssh', port: 22, protos: T },
  { name: 'telnet', port: 23, protos: T },
  { name: 'smtp', port: 25, protos: T, aliases: ['mail'] },
  { name: 'time', port: 37, protos: TU },
  { name: 'nameserver', port: 42, protos: TU, aliases: ['wins-replication'] },
  { name: 'nicname', port: 43, protos: T, aliases: ['whois'] },
  { name: 'domain', port: 53, protos: TU, aliases: ['dns'] },
  { name: 'bootps', port: 67, protos: U, aliases: ['dhcps', 'dhcp'] },
  { name: 'bootpc', port: 68, protos: U, aliases: ['dhcpc'] },
  { name: 'tftp', port: 69, protos: U },
  { name: 'finger', port: 79, protos: T },
  { name: 'http', port: 80, protos: T, aliases: ['www', 'www-http'] },
  { name: 'kerberos', port: 88, protos: TU, aliases: ['krb5', 'kerberos-sec'] },
  { name: 'iso-tsap', port: 102, protos: T, aliases: ['x400'] },
  { name: 'pop3', port: 110, protos: T },
  { name: 'sunrpc', port: 111, protos: TU, aliases: ['rpcbind', 'portmap'] },
  { name: 'auth', port: 113, protos: T, aliases: ['ident'] },
  { name: 'nntp', port: 119, protos: T },
  { name: 'ntp', port: 123, protos: U },
  { name: 'epmap', port: 135, protos: TU, aliases: ['msrpc', 'loc-srv'] },
  { name: 'netbios-ns', port: 137, protos: TU, aliases: ['nbname'] },
  { name: 'netbios-dgm', port: 138, protos: U, aliases: ['nbdatagram'] },
  { name: 'netbios-ssn', port: 139, protos: T, aliases: ['nbsession'] },
  { name: 'imap', port: 143, protos: T, aliases: ['imap4'] },
  { name: 'snmp', port: 161, protos: U },
  { name: 'snmptrap', port: 162, protos: U, aliases: ['snmp-trap'] },
  { name: 'ldap', port: 389, protos: TU },
  { name: 'https', port: 443, protos: TU, aliases: ['mcom'] },
  { name: 'microsoft-ds', port: 445, protos: TU, aliases: ['smb'] },
  { name: 'kpasswd', port: 464, protos: TU },
  { name: 'isakmp', port: 500, protos: U, aliases: ['ike'] },
  { name: 'syslog', port: 514, protos: U },
  { name: 'ulp', port: 522, protos: T },
  { name: 'nntps', port: 563, protos: T, aliases: ['snews'] },
  { name: 'submission', port: 587, protos: T },
  { name: 'ldaps', port: 636, protos: T, aliases: ['sldap'] },
  { name: 'msexch-routing', port: 691, protos: T },
  { name: 'imaps', port: 993, protos: T },
  { name: 'pop3s', port: 995, protos: T },
  { name: 'ms-sql-s', port: 1433, protos: TU },
  { name: 'ms-sql-m', port: 1434, protos: TU },
  { name: 'imtc-mcs', port: 1503, protos: T, aliases: ['t120'] },
  { name: 'l2tp', port: 1701, protos: U },
  { name: 'h323hostcall', port: 1720, protos: T, aliases: ['h323'] },
  { name: 'pptp', port: 1723, protos: T },
  { name: 'msiccp', port: 1731, protos: T },
  { name: 'nfs', port: 2049, protos: TU },
  { name: 'msft-gc', port: 3268, protos: T },
  { name: 'msft-gc-ssl', port: 3269, protos: T },
  { name: 'mysql', port: 3306, protos: T },
  { name: 'ms-wbt-server', port: 3389, protos: T, aliases: ['rdp'] },
  { name: 'ipsec-nat-t', port: 4500, protos: U, aliases: ['nat-t-ike'] },
  { name: 'postgresql', port: 5432, protos: T },
  { name: 'wsman', port: 5985, protos: T, aliases: ['winrm'] },
  { name: 'wsmans', port: 5986, protos: T },
  { name: 'redis', port: 6379, protos: T },
  { name: 'http-alt', port: 8080, protos: T },
  { name: 'adws', port: 9389, protos: T },
];

const byPort = new Map<string, string>();
const byName = new Map<string, ServiceEntry>();
for (const entry of SERVICE_TABLE) {
  for (const proto of entry.protos) byPort.set(`${proto}/${entry.port}`, entry.name);
  for (const n of [entry.name, ...(entry.aliases ?? [])]) byName.set(n, entry);
}

/** Canonical service name of a port, or undefined. */
export function serviceName(port: number, proto: Proto): string | undefined {
  return byPort.get(`${proto}/${port}`);
}

/** PortQry's parenthesised label: `http service`, or `unknown service`. */
export function serviceLabel(port: number, proto: Proto): string {
  const name = serviceName(port, proto);
  return name ? `${name} service` : 'unknown service';
}

/** `TCP port 80 (http service)`, as PortQry prints before the state. */
export function describePort(port: number, proto: Proto): string {
  return `${proto.toUpperCase()} port ${port} (${serviceLabel(port, proto)})`;
}

/** A service name's entry (name or alias, case-insensitive), whatever its protocols. */
export function findService(
  name: string,
): { name: string; port: number; protos: readonly Proto[] } | undefined {
  return byName.get(name.toLowerCase());
}

/** Port of a service name on one protocol, or undefined if unknown there. */
export function servicePort(name: string, proto: Proto): number | undefined {
  const entry = findService(name);
  return entry && entry.protos.includes(proto) ? entry.port : undefined;
}
