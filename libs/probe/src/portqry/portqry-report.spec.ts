import type { Observation } from '@fleetqry/contracts';

import { portBlock } from './portqry-report.js';

const at = '2026-12-06T08:00:00.000Z';
const udp = (port: number, over: Partial<Observation>): Observation => ({
  host: '127.0.0.1',
  address: '127.0.0.1',
  proto: 'udp',
  port,
  state: 'LISTENING',
  reason: 'protocol-response',
  observedAt: at,
  ...over,
});

/**
 * The lines a PortQry user's scripts parse, as Microsoft's KB 832919 prints them (quoted in
 * apps/cli/README.md): the unformatted probe's verdict, "Sending … query", the response between its
 * markers, and `UDP port N is STATE` after a UDP query.
 */
describe('portBlock (PortQry wording)', () => {
  it('prints an LDAP query over UDP 389 as PortQry does', () => {
    const lines = portBlock(
      udp(389, {
        service: 'ldap',
        protocol: { name: 'cldap', status: 'success', durationMs: 3 },
        ldap: { rootDSE: { namingContexts: ['DC=domain,DC=example,DC=com'], supportedLDAPVersion: ['3'] } },
      }),
    );
    expect(lines).toEqual([
      'UDP port 389 (ldap service): LISTENING or FILTERED',
      '',
      'Sending LDAP query to UDP port 389...',
      '',
      'LDAP query response:',
      '',
      'namingContexts: DC=domain,DC=example,DC=com',
      'supportedLDAPVersion: 3',
      '',
      '======== End of LDAP query response ========',
      '',
      'UDP port 389 is LISTENING',
    ]);
  });

  const snmpObs = (community: string) =>
    udp(161, {
      service: 'snmp',
      protocol: { name: 'snmp', status: 'success', durationMs: 2 },
      snmp: {
        communities: [community],
        versions: { [community]: ['v2c'] },
        rejectedCount: 0,
        sysName: 'lab',
      },
    });

  it('prints the community for the query: a vendor default as is, a secret masked', () => {
    const shown = portBlock(snmpObs('public'), { community: 'public' });
    expect(shown.slice(0, 7)).toEqual([
      'UDP port 161 (snmp service): LISTENING or FILTERED',
      '',
      'community name for query:',
      '',
      'public',
      '',
      'Sending SNMP query to UDP port 161...',
    ]);
    expect(shown).toContain('community name: public (SNMP v2c)');
    expect(shown.at(-1)).toBe('UDP port 161 is LISTENING');
    const secret = portBlock(snmpObs('secure123'), { community: 'secure123' });
    expect(secret.join('\n')).not.toContain('secure123');
    expect(secret.slice(2, 5)).toEqual(['community name for query:', '', '*****']);
    expect(secret).toContain('community name: ***** (SNMP v2c)');
  });

  it('masks even a vendor default in the log', () => {
    const logged = portBlock(snmpObs('public'), { community: 'public', maskSecrets: true });
    expect(logged.join('\n')).not.toContain('public');
  });

  it('ends a silent SNMP query with the FILTERED verdict', () => {
    const lines = portBlock(
      udp(161, {
        state: 'FILTERED',
        reason: 'no-response',
        protocol: { name: 'snmp', status: 'io-timeout', durationMs: 1000, detail: 'no answer' },
      }),
      { community: 'public' },
    );
    expect(lines[0]).toBe('UDP port 161 (snmp service): LISTENING or FILTERED');
    expect(lines.at(-1)).toBe('UDP port 161 is FILTERED');
  });

  it('prints a query error once', () => {
    const lines = portBlock({
      host: '127.0.0.1',
      address: '127.0.0.1',
      proto: 'tcp',
      port: 25,
      service: 'smtp',
      state: 'LISTENING',
      reason: 'syn-ack',
      observedAt: at,
      protocol: { name: 'smtp', status: 'io-timeout', durationMs: 5000, detail: 'SMTP: nothing received' },
    });
    expect(lines.filter((l) => l.includes('SMTP query:'))).toEqual([
      'SMTP query: io-timeout (nothing received)',
    ]);
    expect(lines.join('\n')).not.toMatch(/nothing received[\s\S]*nothing received/);
  });
});
