/** sshPlugin against real OpenSSH sshd (127.42.0.11:22) and dropbear (127.42.0.12:22). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { jest } from '@jest/globals';

import { labContext } from '../../testing/lab-ctx.js';
import {
  daemonsInstalled,
  run,
  type RunningDaemon,
  startDaemon,
  tempDir,
} from '../../testing/lab-daemons.js';
import { sshPlugin } from './index.js';

jest.setTimeout(30_000);

const SSHD = '/usr/sbin/sshd';
const DROPBEAR = '/usr/sbin/dropbear';
const bins = [SSHD, '/usr/bin/ssh-keygen', DROPBEAR, '/usr/bin/dropbearkey'];

(daemonsInstalled('ssh: sshd + dropbear', bins) ? describe : describe.skip)(
  'sshPlugin against real daemons',
  () => {
    let tmp: ReturnType<typeof tempDir>;
    const daemons: RunningDaemon[] = [];

    beforeAll(async () => {
      tmp = tempDir('ssh');
      const d = tmp.dir;
      mkdirSync('/run/sshd', { recursive: true });
      await run('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(d, 'host_ed25519')]);
      await run('/usr/bin/dropbearkey', ['-t', 'ed25519', '-f', path.join(d, 'dropbear_ed25519')]);
      writeFileSync(
        path.join(d, 'sshd_config'),
        [
          'Port 22',
          `HostKey ${d}/host_ed25519`,
          `PidFile ${d}/sshd.pid`,
          'UsePAM no',
          'UseDNS no',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          '',
        ].join('\n'),
      );
      daemons.push(
        await startDaemon({
          name: 'sshd',
          command: SSHD,
          args: ['-D', '-e', '-f', path.join(d, 'sshd_config'), '-o', 'ListenAddress=127.42.0.11'],
          address: '127.42.0.11',
          port: 22,
        }),
      );
      daemons.push(
        await startDaemon({
          name: 'dropbear',
          command: DROPBEAR,
          args: [
            '-F',
            '-E',
            '-s',
            '-r',
            path.join(d, 'dropbear_ed25519'),
            '-p',
            '127.42.0.12:22',
            '-P',
            `${d}/db.pid`,
          ],
          address: '127.42.0.12',
          port: 22,
        }),
      );
    });

    afterAll(async () => {
      for (const daemon of daemons) await daemon.stop();
      tmp?.remove();
    });

    it('OpenSSH: identification line parsed into proto, software, comments', async () => {
      const r = await sshPlugin.query(labContext('127.42.0.11', 22));
      expect(r.status).toBe('success');
      expect(r.answered).toBe(true);
      expect(r.data?.ssh?.protoVersion).toBe('2.0');
      expect(r.data?.ssh?.software).toMatch(/^OpenSSH_/);
      expect(r.data?.banner).toMatch(/^SSH-2\.0-OpenSSH_\S+/);
    });

    it('dropbear: identification without comments, KEXINIT after it ignored', async () => {
      const r = await sshPlugin.query(labContext('127.42.0.12', 22));
      expect(r.status).toBe('success');
      expect(r.data?.ssh).toEqual({ protoVersion: '2.0', software: expect.stringMatching(/^dropbear_/) });
      expect(r.data?.banner).toMatch(/^SSH-2\.0-dropbear_/);
    });

    it('a byte cap shorter than the identification → truncated with the partial line', async () => {
      const r = await sshPlugin.query(labContext('127.42.0.11', 22, { options: { maxResponseBytes: 10 } }));
      expect(r.status).toBe('truncated');
      expect(r.data?.banner).toBe('SSH-2.0-Op');
    });
  },
);
