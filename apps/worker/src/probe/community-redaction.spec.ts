import { snmpSecrets } from './community-redaction.js';

const ID = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
];
const V3_KEYS = {
  authProtocol: 'md5',
  authKey: 'md5-auth-pass',
  privProtocol: 'des',
  privKey: 'des-priv-pass',
};

describe('snmpSecrets: opened credentials by kind', () => {
  it('communities to try (secret ones labelled), v3 users with their keys and a label', () => {
    const s = snmpSecrets(ID, [
      { kind: 'snmp-community', secret: 'public', principal: null },
      { kind: 'snmp-v3-user', secret: JSON.stringify(V3_KEYS), principal: 'fq-md5des' },
      { kind: 'snmp-community', secret: 'Xk9-ops', principal: null },
    ]);
    expect(s.communities).toEqual(['public', 'Xk9-ops']);
    expect(s.labels).toEqual(new Map([['Xk9-ops', `credential:${ID[2]}`]]));
    expect(s.v3Users).toEqual([{ user: 'fq-md5des', ...V3_KEYS, credential: `credential:${ID[1]}` }]);
  });

  it('refuses a v3 credential it cannot read, without quoting it', () => {
    const bad = (secret: string, principal: string | null) => () =>
      snmpSecrets([ID[0]!], [{ kind: 'snmp-v3-user', secret, principal }]);
    expect(bad('{"authKey":"leaked-key-1"}', 'u')).toThrow(`credential ${ID[0]}: not a valid SNMPv3 user`);
    expect(bad('not json leaked-key-2', 'u')).toThrow(/^credential .*: not a valid SNMPv3 user$/);
    expect(bad(JSON.stringify(V3_KEYS), null)).toThrow(/not a valid SNMPv3 user/);
  });
});
