/**
 * The NTP plugin against chrony on 127.44.0.2. chrony is configured with no sources at all (no
 * `server`/`pool` lines: it never queries anything upstream), serves its local clock at stratum 8,
 * runs in the foreground (`-d`) without touching the system clock (`-x`), with its own pid file and
 * no command port.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { daemonsInstalled, tempDir } from '../../testing/lab-daemons.js';
import { startUdpDaemon, type UdpDaemon } from '../../testing/udp-daemon.js';
import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { ntpPlugin } from './index.js';

const CHRONYD = '/usr/sbin/chronyd';
const ADDRESS = '127.44.0.2';
const CLOSED = '127.44.0.9';

const ctx = (address: string, timeoutMs = 1000): ProtocolContext => ({
  host: address,
  address,
  port: 123,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

const run = daemonsInstalled('ntp against chronyd', [CHRONYD]);
(run ? describe : describe.skip)('ntpPlugin against chronyd', () => {
  const tmp = tempDir('chrony');
  let daemon: UdpDaemon | undefined;

  beforeAll(async () => {
    const conf = join(tmp.dir, 'chrony.conf');
    writeFileSync(
      conf,
      [
        'local stratum 8',
        'allow 127.0.0.0/8',
        `bindaddress ${ADDRESS}`,
        'port 123',
        'cmdport 0',
        `pidfile ${tmp.dir}/chronyd.pid`,
        '',
      ].join('\n'),
    );
    daemon = await startUdpDaemon({
      name: 'chronyd',
      command: CHRONYD,
      args: ['-d', '-x', '-u', 'root', '-f', conf],
      ready: async () => (await ntpPlugin.query(ctx(ADDRESS, 300))).answered,
    });
  }, 20_000);

  afterAll(async () => {
    await daemon?.stop();
    tmp.remove();
  });

  it('reads version, stratum, reference id and times', async () => {
    const r = await ntpPlugin.query(ctx(ADDRESS));
    expect(r).toMatchObject({
      status: 'success',
      answered: true,
      data: { ntp: { version: 4, mode: 4, stratum: 8, refId: '127.127.1.1', leap: 'none' } },
    });
    expect(r.data?.ntp?.precision).toBeLessThan(0);
    expect(Date.parse(r.data?.ntp?.referenceTime ?? '')).toBeGreaterThan(Date.parse('2024-01-01'));
  });

  it('reports connection-refused where nothing listens', async () => {
    expect(await ntpPlugin.query(ctx(CLOSED))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
});
