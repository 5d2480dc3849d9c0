/** ftpPlugin against real vsftpd: anonymous allowed (127.42.0.13:21) and denied (127.42.0.14:21). */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { jest } from '@jest/globals';

import { labContext, pluginDefaults } from '../../testing/lab-ctx.js';
import { daemonsInstalled, type RunningDaemon, startDaemon, tempDir } from '../../testing/lab-daemons.js';
import type { ProtocolContext } from '../plugin.js';
import { ftpPlugin } from './index.js';
import type { FtpOptions } from './options.js';

const ftpContext = (address: string, own: Partial<FtpOptions> = {}): ProtocolContext<FtpOptions> => ({
  ...labContext(address, 21),
  options: { ...pluginDefaults('ftp'), ...own },
});

jest.setTimeout(30_000);

const VSFTPD = '/usr/sbin/vsftpd';

function vsftpdConf(dir: string, address: string, anonymous: boolean): string {
  return [
    'listen=YES',
    'listen_ipv6=NO',
    `listen_address=${address}`,
    'listen_port=21',
    'background=NO',
    `anonymous_enable=${anonymous ? 'YES' : 'NO'}`,
    'no_anon_password=NO',
    `anon_root=${dir}/anon`,
    `local_enable=${anonymous ? 'NO' : 'YES'}`,
    'write_enable=NO',
    `secure_chroot_dir=${dir}/empty`,
    'pam_service_name=vsftpd',
    'seccomp_sandbox=NO',
    'xferlog_enable=NO',
    'pasv_enable=NO',
    'connect_from_port_20=NO',
    '',
  ].join('\n');
}

(daemonsInstalled('ftp: vsftpd', [VSFTPD]) ? describe : describe.skip)('ftpPlugin against vsftpd', () => {
  let tmp: ReturnType<typeof tempDir>;
  const daemons: RunningDaemon[] = [];

  beforeAll(async () => {
    tmp = tempDir('vsftpd');
    const d = tmp.dir;
    chmodSync(d, 0o755);
    mkdirSync(path.join(d, 'anon'), { mode: 0o755 });
    mkdirSync(path.join(d, 'empty'), { mode: 0o755 });
    for (const [address, anonymous] of [
      ['127.42.0.13', true],
      ['127.42.0.14', false],
    ] as const) {
      const conf = path.join(d, `vsftpd-${anonymous ? 'anon' : 'deny'}.conf`);
      writeFileSync(conf, vsftpdConf(d, address, anonymous));
      daemons.push(
        await startDaemon({ name: `vsftpd ${address}`, command: VSFTPD, args: [conf], address, port: 21 }),
      );
    }
  });

  afterAll(async () => {
    for (const daemon of daemons) await daemon.stop();
    tmp?.remove();
  });

  it('anonymous allowed → banner, anonymousLogin true (230)', async () => {
    const r = await ftpPlugin.query(ftpContext('127.42.0.13'));
    expect(r.status).toBe('success');
    expect(r.data?.banner).toMatch(/^220 \(vsFTPd \d/);
    expect(r.data?.ftp).toEqual({ anonymousLogin: true, loginReply: '230 Login successful.' });
  });

  it('anonymous denied → anonymousLogin false (331 then 530)', async () => {
    const r = await ftpPlugin.query(ftpContext('127.42.0.14'));
    expect(r.status).toBe('success');
    expect(r.data?.ftp).toEqual({ anonymousLogin: false, loginReply: '530 Login incorrect.' });
  });

  it('anonymous off → banner only', async () => {
    const r = await ftpPlugin.query(ftpContext('127.42.0.13', { anonymous: false }));
    expect(r.status).toBe('success');
    expect(r.data?.ftp).toBeUndefined();
    expect(r.data?.banner).toMatch(/^220 /);
  });
});
