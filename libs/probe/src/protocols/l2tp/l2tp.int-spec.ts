/** The L2TP plugin against xl2tpd (`-D`, foreground, own config/pid/control files) on 127.44.0.4. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { daemonsInstalled, tempDir } from '../../testing/lab-daemons.js';
import { startUdpDaemon, type UdpDaemon } from '../../testing/udp-daemon.js';
import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { l2tpPlugin } from './index.js';

const XL2TPD = '/usr/sbin/xl2tpd';
const ADDRESS = '127.44.0.4';
const CLOSED = '127.44.0.9';

const ctx = (address: string, timeoutMs = 1000): ProtocolContext => ({
  host: address,
  address,
  port: 1701,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

const run = daemonsInstalled('l2tp against xl2tpd', [XL2TPD]);
(run ? describe : describe.skip)('l2tpPlugin against xl2tpd', () => {
  const tmp = tempDir('xl2tpd');
  let daemon: UdpDaemon | undefined;

  beforeAll(async () => {
    const conf = join(tmp.dir, 'xl2tpd.conf');
    writeFileSync(
      conf,
      [
        '[global]',
        `listen-addr = ${ADDRESS}`,
        'port = 1701',
        'access control = no',
        '[lns default]',
        'hostname = lab44-lns',
        'local ip = 10.255.44.1',
        'ip range = 10.255.44.2-10.255.44.9',
        'require authentication = no',
        '',
      ].join('\n'),
    );
    daemon = await startUdpDaemon({
      name: 'xl2tpd',
      command: XL2TPD,
      args: ['-D', '-c', conf, '-p', join(tmp.dir, 'xl2tpd.pid'), '-C', join(tmp.dir, 'control')],
      ready: async () => (await l2tpPlugin.query(ctx(ADDRESS, 300))).answered,
    });
  }, 20_000);

  afterAll(async () => {
    await daemon?.stop();
    tmp.remove();
  });

  it('gets an SCCRP with host name and vendor, then tears the tunnel down', async () => {
    const r = await l2tpPlugin.query(ctx(ADDRESS));
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.evidence).toMatch(/^L2TP SCCRP, host name lab44-lns, vendor xelerance\.com/);
    await new Promise((res) => setTimeout(res, 200));
    // xl2tpd logs "control_finish: Connection closed" for each tunnel our StopCCN tore down (the
    // readiness probe's and this one's), instead of retransmitting SCCRP.
    expect(daemon?.output().match(/Connection closed to/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('reports connection-refused where nothing listens', async () => {
    expect(await l2tpPlugin.query(ctx(CLOSED))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
});
