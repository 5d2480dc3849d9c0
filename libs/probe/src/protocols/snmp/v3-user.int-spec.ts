/**
 * Authenticated SNMPv3 gets against Net-SNMP agents this spec starts on 127.53.0.1-2 (no community,
 * v3 only): a weak agent with a user of each kind CIS objects to (noAuthNoPriv, MD5 + DES, SHA-1
 * without privacy, an authPriv user that is also let in without keys) and a strong one (SHA-256 +
 * AES, authPriv only). The outcomes are the agent's own: values, authorizationError, USM reports,
 * silence; keys never appear in a result.
 */
import { type SnmpV3UserResult } from '@fleetqry/contracts';

import { daemonsInstalled, type DaemonProcess, tempDir } from '../../testing/lab-daemons.js';
import { SNMPD, startSnmpd } from '../../testing/snmpd.js';
import { pluginDefaults } from '../../testing/lab-ctx.js';
import { snmpPlugin } from './index.js';
import type { SnmpOptions } from './options.js';
import type { V3UserInput } from './v3-user.js';

const WEAK = '127.53.0.1';
const STRONG = '127.53.0.2';

const KEYS = {
  md5: 'md5-auth-pass',
  des: 'des-priv-pass',
  sha1: 'sha1-auth-pass',
  sha256: 'sha256-auth-pass',
  aes: 'aes128-priv-pass',
};

const USERS = {
  noauth: { user: 'fq-noauth' },
  md5des: {
    user: 'fq-md5des',
    authProtocol: 'md5',
    authKey: KEYS.md5,
    privProtocol: 'des',
    privKey: KEYS.des,
  },
  sha1: { user: 'fq-sha1', authProtocol: 'sha', authKey: KEYS.sha1 },
  strong: {
    user: 'fq-strong',
    authProtocol: 'sha256',
    authKey: KEYS.sha256,
    privProtocol: 'aes',
    privKey: KEYS.aes,
  },
} satisfies Record<string, V3UserInput>;

/** As the engine calls it: the 1 s window plus the time the plugin asks for its v3 users. */
const ctx = (address: string, users: V3UserInput[], extra: Partial<SnmpOptions> = {}) => {
  const options = { ...pluginDefaults('snmp'), communities: ['public'], v3Users: users, ...extra };
  return {
    host: address,
    address,
    port: 161,
    proto: 'udp' as const,
    timeoutMs: 1000 + snmpPlugin.extraTimeoutMs!(options),
    signal: new AbortController().signal,
    options,
  };
};

const byUser = (results: SnmpV3UserResult[] | undefined) =>
  Object.fromEntries((results ?? []).map((r) => [r.user, r]));

const run = daemonsInstalled('snmp v3 users against snmpd', [SNMPD]);
(run ? describe : describe.skip)('SNMPv3 users against snmpd', () => {
  const tmp = tempDir('snmpv3-users');
  const agents: DaemonProcess[] = [];

  beforeAll(async () => {
    agents.push(
      await startSnmpd({
        name: 'weak',
        address: WEAK,
        dir: tmp.dir,
        conf: [
          'engineID fleetqry-weak',
          'sysName fq-weak-agent',
          `createUser ${USERS.noauth.user}`,
          `rouser ${USERS.noauth.user} noauth`,
          `createUser ${USERS.md5des.user} MD5 "${KEYS.md5}" DES "${KEYS.des}"`,
          // Misconfigured: the user has keys, but the access rule lets it in without them.
          `rouser ${USERS.md5des.user} noauth`,
          `createUser ${USERS.sha1.user} SHA "${KEYS.sha1}"`,
          `rouser ${USERS.sha1.user} auth`,
        ],
      }),
      await startSnmpd({
        name: 'strong',
        address: STRONG,
        dir: tmp.dir,
        conf: [
          'engineID fleetqry-strong',
          'sysName fq-strong-agent',
          `createUser ${USERS.strong.user} SHA-256 "${KEYS.sha256}" AES "${KEYS.aes}"`,
          `rouser ${USERS.strong.user} priv`,
        ],
      }),
    );
  }, 20_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    tmp.remove();
  });

  it('SHA-256 + AES authPriv: values (LISTENING), and the user name alone is refused', async () => {
    const r = await snmpPlugin.query(ctx(STRONG, [USERS.strong]));
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.detail).toBe('0 of 1 communities accepted; 1 of 1 SNMPv3 users accepted');
    expect(r.data?.snmp).toMatchObject({
      communities: [],
      sysName: 'fq-strong-agent',
      sysObjectID: '1.3.6.1.4.1.8072.3.2.10',
      v3Users: [
        {
          user: 'fq-strong',
          level: 'authPriv',
          authProtocol: 'sha256',
          privProtocol: 'aes',
          outcome: 'accepted',
          noAuthAccepted: false,
        },
      ],
    });
    expect(r.evidence).toMatch(/^sysDescr=/);
    expect(snmpPlugin.describe({ snmp: r.data!.snmp } as never)).toContain(
      'SNMPv3 user fq-strong (authPriv sha256/aes): accepted, without keys refused',
    );
  });

  it('wrong keys and unknown users are the agent’s USM reports (or silence), never LISTENING', async () => {
    const r = await snmpPlugin.query(
      ctx(STRONG, [
        { ...USERS.strong, authKey: 'not-the-auth-key' },
        { ...USERS.strong, privKey: 'not-the-priv-key' },
        { ...USERS.strong, user: 'fq-nobody' },
      ]),
    );
    expect(r).toMatchObject({ status: 'rejected', answered: false });
    // The agent drops what it cannot decrypt.
    expect(r.data?.snmp?.v3Users?.map((u) => u.outcome)).toEqual([
      'wrong-digest',
      'no-response',
      'unknown-user',
    ]);
  });

  it('authNoPriv for a priv-only user: authenticated, but denied (authorizationError)', async () => {
    const r = await snmpPlugin.query(
      ctx(STRONG, [{ user: USERS.strong.user, authProtocol: 'sha256', authKey: KEYS.sha256 }]),
    );
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.data?.snmp?.v3Users?.[0]).toMatchObject({ level: 'authNoPriv', outcome: 'authorization-error' });
    expect(r.data?.snmp?.sysName).toBeUndefined();
  });

  it('a weak agent: each kind of user CIS objects to, as the agent treated it', async () => {
    const r = await snmpPlugin.query(ctx(WEAK, [USERS.noauth, USERS.md5des, USERS.sha1]));
    expect(r).toMatchObject({ status: 'success', answered: true });
    const users = byUser(r.data?.snmp?.v3Users);
    expect(users['fq-noauth']).toEqual({ user: 'fq-noauth', level: 'noAuthNoPriv', outcome: 'accepted' });
    // DES really went over the wire (Node's OpenSSL 3 has no des-cbc; see des-compat.ts).
    expect(users['fq-md5des']).toMatchObject({
      level: 'authPriv',
      authProtocol: 'md5',
      privProtocol: 'des',
      outcome: 'accepted',
      noAuthAccepted: true,
    });
    expect(users['fq-sha1']).toMatchObject({
      level: 'authNoPriv',
      authProtocol: 'sha',
      outcome: 'accepted',
      noAuthAccepted: false,
    });
    expect(r.data?.snmp?.sysName).toBe('fq-weak-agent');
  });

  it('DES with a wrong privacy key is dropped by the agent: the DES path is exercised, not skipped', async () => {
    const r = await snmpPlugin.query(ctx(WEAK, [{ ...USERS.md5des, privKey: 'wrong-des-key' }]));
    expect(r.data?.snmp?.v3Users?.[0]).toMatchObject({ outcome: 'no-response', noAuthAccepted: true });
  });

  it('never puts a key in a result', async () => {
    const r = await snmpPlugin.query(ctx(WEAK, [USERS.md5des, USERS.sha1]));
    const text = JSON.stringify(r);
    for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
  });

  it('asks v3 users without discovery too, and not at all where nothing answers', async () => {
    const r = await snmpPlugin.query(ctx(STRONG, [USERS.strong], { v3Discovery: false }));
    expect(r.data?.snmp?.v3Users?.[0]?.outcome).toBe('accepted');
    // 127.53.0.3 has no agent: ICMP port unreachable, no v3 get is sent.
    const none = await snmpPlugin.query(ctx('127.53.0.3', [USERS.strong]));
    expect(none).toMatchObject({ status: 'connection-refused' });
    expect(none.data?.snmp?.v3Users).toBeUndefined();
  });
});
