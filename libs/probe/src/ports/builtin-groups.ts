/**
 * Built-in service groups, after PortQryUI's predefined services. Every list and its source is
 * documented in groups.md next to this file; change both together. Data lives in TypeScript (not
 * YAML) so it ships inside the compiled library without a loader or an asset copy step.
 */
export interface ServiceGroupDefinition {
  /** Lookup key, lowercase-hyphenated. */
  name: string;
  /** The name PortQryUI shows; accepted as written (any case, any spacing), like the name and aliases. */
  title: string;
  /** Other names accepted on lookup. */
  aliases?: readonly string[];
  description: string;
  /** Fleet-form port lists (numbers only in built-ins, so the data does not depend on the name table). */
  tcp?: string;
  udp?: string;
  /** What a port scan cannot cover for this group (e.g. IPsec ESP/AH are IP protocols, not ports). */
  notes?: string;
}

export const BUILTIN_GROUPS: readonly ServiceGroupDefinition[] = [
  {
    name: 'domains-and-trusts',
    title: 'Domains and Trusts',
    aliases: ['domains', 'ad'],
    description:
      'Active Directory domain controllers and trusts: RPC, LDAP, GC, DNS, Kerberos, SMB, NetBIOS, WINS',
    tcp: '135,389,636,3268,3269,53,88,445,139,42',
    udp: '389,53,88,137,138',
    notes:
      'RPC services also use the dynamic range (49152-65535 on current Windows); list it explicitly if wanted.',
  },
  {
    name: 'ipsec',
    title: 'IP Security',
    aliases: ['ip-security'],
    description: 'IKE/ISAKMP and IPsec NAT traversal',
    udp: '500,4500',
    notes:
      'ESP (IP protocol 50) and AH (IP protocol 51) are IP protocols, not ports; a port scan cannot test them.',
  },
  {
    name: 'networking',
    title: 'Networking',
    description: 'Core network services: WINS replication, DNS, DHCP, NetBIOS, SNMP',
    tcp: '42,53,139',
    udp: '42,53,67,68,137,138,161,162',
  },
  {
    name: 'sql',
    title: 'SQL Service',
    aliases: ['sql-service', 'sql-server'],
    description: 'SQL Server default instance and SQL Server Browser',
    tcp: '1433',
    udp: '1434',
    notes: 'Named instances listen on ports the Browser (UDP 1434) reports; PortQry queries it.',
  },
  {
    name: 'web',
    title: 'Web Service',
    aliases: ['web-service'],
    description: 'HTTP and HTTPS',
    tcp: '80,443',
  },
  {
    name: 'exchange',
    title: 'Exchange Server',
    aliases: ['exchange-server'],
    description:
      'Exchange 2000/2003 era: SMTP, HTTP(S), X.400, POP3, NNTP, RPC, IMAP4, LDAP/SRS, link state, GC',
    tcp: '25,80,102,110,119,135,143,379,389,390,443,563,636,691,993,995,3268,3269',
  },
  {
    name: 'netmeeting',
    title: 'NetMeeting',
    description: 'NetMeeting: ILS (LDAP), ULS, T.120, H.323 call setup, audio call control',
    tcp: '389,522,1503,1720,1731',
    notes: 'H.323 call control and RTP media use dynamic ports negotiated on 1720/1731.',
  },
  {
    name: 'misc',
    title: 'Miscellaneous',
    aliases: ['miscellaneous'],
    description: 'Miscellaneous: Telnet, SMTP, TFTP, NTP, Remote Desktop',
    tcp: '23,25,3389',
    udp: '69,123',
  },
];
