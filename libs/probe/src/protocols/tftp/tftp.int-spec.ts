/** The TFTP plugin against tftpd-hpa (`in.tftpd -L`, foreground) on 127.44.0.3 serving an empty temp dir. */
import { daemonsInstalled, tempDir } from '../../testing/lab-daemons.js';
import { startUdpDaemon, type UdpDaemon } from '../../testing/udp-daemon.js';
import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { tftpPlugin } from './index.js';

const TFTPD = '/usr/sbin/in.tftpd';
const ADDRESS = '127.44.0.3';
const CLOSED = '127.44.0.9';

const ctx = (address: string, timeoutMs = 1000): ProtocolContext => ({
  host: address,
  address,
  port: 69,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

const run = daemonsInstalled('tftp against tftpd-hpa', [TFTPD]);
(run ? describe : describe.skip)('tftpPlugin against tftpd-hpa', () => {
  const tmp = tempDir('tftp');
  let daemon: UdpDaemon | undefined;

  beforeAll(async () => {
    daemon = await startUdpDaemon({
      name: 'in.tftpd',
      command: TFTPD,
      args: ['-L', '-a', `${ADDRESS}:69`, '-u', 'root', '-s', tmp.dir],
      ready: async () => (await tftpPlugin.query(ctx(ADDRESS, 300))).answered,
    });
  }, 20_000);

  afterAll(async () => {
    await daemon?.stop();
    tmp.remove();
  });

  it('gets ERROR "File not found" from the transfer-id port: LISTENING', async () => {
    expect(await tftpPlugin.query(ctx(ADDRESS))).toMatchObject({
      status: 'success',
      answered: true,
      evidence: 'TFTP ERROR 1 (file not found): File not found',
    });
  });

  it('reports connection-refused where nothing listens', async () => {
    expect(await tftpPlugin.query(ctx(CLOSED))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
});
