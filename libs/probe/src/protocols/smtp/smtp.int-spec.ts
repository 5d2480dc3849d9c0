/**
 * smtpPlugin against a real OpenSMTPD on 127.42.0.16:25.
 *
 * OpenSMTPD keeps its control socket in /run and its queue in /var/spool/smtpd, one per machine, so
 * it runs in its own mount namespace (`unshare -m`) over private tmpfs copies of both; the network is
 * shared. Its resolver is pointed (ASR_CONFIG) at /etc/hosts first and then at 127.42.0.53, where
 * nothing listens: whatever it looks up never leaves loopback. smtpd resolves the machine's hostname at
 * start, so the namespace also gets a private /etc/hosts that names it (whatever the machine's has).
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

import { jest } from '@jest/globals';

import { labContext } from '../../testing/lab-ctx.js';
import { daemonsInstalled, type RunningDaemon, startDaemon, tempDir } from '../../testing/lab-daemons.js';
import { smtpPlugin } from './index.js';

jest.setTimeout(30_000);

const SMTPD = '/usr/sbin/smtpd';
const ADDR = '127.42.0.16';

const runnable = daemonsInstalled('smtp: opensmtpd', [SMTPD, '/usr/bin/unshare']);

(runnable ? describe : describe.skip)('smtpPlugin against OpenSMTPD', () => {
  let tmp: ReturnType<typeof tempDir>;
  let smtpd: RunningDaemon | undefined;

  beforeAll(async () => {
    tmp = tempDir('smtpd');
    const d = tmp.dir;
    writeFileSync(
      path.join(d, 'smtpd.conf'),
      `listen on ${ADDR} port 25 hostname lab.fleetqry.test\naction "local" mbox\nmatch from local for local action "local"\n`,
      { mode: 0o644 },
    );
    writeFileSync(path.join(d, 'asr.conf'), 'nameserver 127.42.0.53\nlookup file bind\n');
    writeFileSync(path.join(d, 'hosts'), `127.0.0.1 localhost ${hostname()}\n`, { mode: 0o644 });
    smtpd = await startDaemon({
      name: 'smtpd',
      command: '/usr/bin/unshare',
      args: [
        '-m',
        '--propagation',
        'private',
        '/bin/sh',
        '-c',
        'mount -t tmpfs tmpfs /run && mount -t tmpfs -o mode=711 tmpfs /var/spool/smtpd && ' +
          'mount --bind "$2" /etc/hosts && exec "$0" -d -f "$1"',
        SMTPD,
        path.join(d, 'smtpd.conf'),
        path.join(d, 'hosts'),
      ],
      env: { ASR_CONFIG: path.join(d, 'asr.conf') },
      address: ADDR,
      port: 25,
    });
  });

  afterAll(async () => {
    await smtpd?.stop();
    tmp?.remove();
  });

  it('220 greeting as banner, then QUIT (the server logs reason=quit)', async () => {
    const r = await smtpPlugin.query(labContext(ADDR, 25));
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.data?.banner).toBe('220 lab.fleetqry.test ESMTP OpenSMTPD');
    let out = '';
    for (let i = 0; i < 20 && !/disconnected reason=quit/.test(out); i++) {
      await new Promise((res) => setTimeout(res, 100));
      out = smtpd!.output();
    }
    expect(out).toMatch(/disconnected reason=quit/);
  });

  it('a byte cap inside the greeting → truncated with what was read', async () => {
    const r = await smtpPlugin.query(labContext(ADDR, 25, { options: { maxResponseBytes: 12 } }));
    expect(r.status).toBe('truncated');
    expect(r.data?.banner).toBe('220 lab.flee');
  });
});
