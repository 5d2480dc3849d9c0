import type { Observation } from '../api/types';

const DATA_KEYS = ['snmp', 'ldap', 'dns', 'ftp', 'http', 'ssh', 'netbios', 'mssql', 'ntp', 'rpc'] as const;

/**
 * What a port said beyond its state: the protocol query's outcome, the banner, and the protocol data
 * (SNMP, LDAP rootDSE, DNS, …) folded one block per protocol.
 */
export function ProtocolDetails({ observation: o }: { observation: Observation }) {
  return (
    <>
      {o.protocol && (
        <div>
          {o.protocol.name}: {o.protocol.status}
          {o.protocol.detail ? ` (${o.protocol.detail})` : ''}
        </div>
      )}
      {o.banner && <div>banner: {o.banner}</div>}
      {DATA_KEYS.filter((k) => o[k] !== undefined).map((k) => (
        <details key={k}>
          <summary>{k}</summary>
          <pre>{JSON.stringify(o[k], null, 2)}</pre>
        </details>
      ))}
    </>
  );
}
