/**
 * The ISAKMP plugin against strongSwan's charon with no connections configured (it answers
 * NO_PROPOSAL_CHOSEN to both versions). charon binds the wildcard address on UDP 500 and 4500 while
 * the test runs (it cannot be bound to one address); packets go to 127.44.0.5 only. Its config is a
 * private strongswan.conf (STRONGSWAN_CONF) with only built-in plugins, routes/virtual IPs off.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { daemonsInstalled, preconditionMet, tempDir } from '../../testing/lab-daemons.js';
import { startUdpDaemon, type UdpDaemon } from '../../testing/udp-daemon.js';
import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { isakmpPlugin } from './index.js';

const CHARON = '/usr/lib/ipsec/charon';
const ADDRESS = '127.44.0.5';

const ctx = (address: string, port = 500, timeoutMs = 1000): ProtocolContext => ({
  host: address,
  address,
  port,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

// Someone else's IKE daemon on :500 would make this test meaningless (and ours fail to bind).
const run =
  daemonsInstalled('isakmp against charon', [CHARON]) &&
  preconditionMet(
    'isakmp against charon',
    existsSync('/run/charon.pid') ? 'another charon runs here (/run/charon.pid holds UDP 500)' : undefined,
  );
(run ? describe : describe.skip)('isakmpPlugin against charon', () => {
  const tmp = tempDir('charon');
  let daemon: UdpDaemon | undefined;

  beforeAll(async () => {
    const conf = join(tmp.dir, 'strongswan.conf');
    writeFileSync(
      conf,
      [
        'charon {',
        '  load = random nonce sha1 sha2 hmac aes gmp pem pkcs1 socket-default kernel-netlink',
        '  port = 500',
        '  port_nat_t = 4500',
        '  install_routes = no',
        '  install_virtual_ip = no',
        '  filelog {',
        '    stderr { default = 1 }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    daemon = await startUdpDaemon({
      name: 'charon',
      command: CHARON,
      args: [],
      env: { STRONGSWAN_CONF: conf },
      ready: async () => (await isakmpPlugin.query(ctx(ADDRESS, 500, 300))).answered,
    });
  }, 20_000);

  afterAll(async () => {
    await daemon?.stop();
    tmp.remove();
  });

  it('gets NO_PROPOSAL_CHOSEN: LISTENING', async () => {
    const r = await isakmpPlugin.query(ctx(ADDRESS));
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.evidence).toMatch(/^IKEv[12] .*notify NO_PROPOSAL_CHOSEN$/);
  });

  it('reports connection-refused where nothing listens', async () => {
    expect(await isakmpPlugin.query(ctx(ADDRESS, 1500))).toMatchObject({ status: 'connection-refused' });
  });
});
