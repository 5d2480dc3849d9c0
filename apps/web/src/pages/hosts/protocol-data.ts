import type { Observation } from '../../api/types';

const DATA_KEYS = ['snmp', 'ldap', 'dns', 'ftp', 'http', 'ssh', 'netbios', 'mssql', 'ntp', 'rpc'] as const;

/** The protocol data an observation carries (SNMP, LDAP rootDSE, DNS, …), by protocol name. */
export function protocolData(o: Observation): Array<[string, unknown]> {
  return DATA_KEYS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]);
}
