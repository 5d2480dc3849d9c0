/** pop3Plugin and imapPlugin against a real Dovecot on 127.42.0.15 (POP3 110, IMAP 143). */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { jest } from '@jest/globals';

import { labContext } from '../../testing/lab-ctx.js';
import { daemonsInstalled, type RunningDaemon, startDaemon, tempDir } from '../../testing/lab-daemons.js';
import { imapPlugin } from '../imap/index.js';
import { pop3Plugin } from './index.js';

jest.setTimeout(30_000);

const DOVECOT = '/usr/sbin/dovecot';
const ADDR = '127.42.0.15';
const bins = [DOVECOT, '/usr/lib/dovecot/pop3-login', '/usr/lib/dovecot/imap-login'];

(daemonsInstalled('pop3/imap: dovecot', bins) ? describe : describe.skip)(
  'POP3 and IMAP against Dovecot',
  () => {
    let tmp: ReturnType<typeof tempDir>;
    let dovecot: RunningDaemon | undefined;

    beforeAll(async () => {
      tmp = tempDir('dovecot');
      const d = tmp.dir;
      chmodSync(d, 0o755);
      for (const sub of ['run', 'state', 'home']) mkdirSync(path.join(d, sub), { mode: 0o755 });
      writeFileSync(
        path.join(d, 'dovecot.conf'),
        `base_dir = ${d}/run
state_dir = ${d}/state
log_path = ${d}/dovecot.log
protocols = imap pop3
listen = ${ADDR}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${d}/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 0
  }
}
`,
      );
      dovecot = await startDaemon({
        name: 'dovecot',
        command: DOVECOT,
        args: ['-F', '-c', path.join(d, 'dovecot.conf')],
        address: ADDR,
        port: 110,
      });
    });

    afterAll(async () => {
      await dovecot?.stop();
      tmp?.remove();
    });

    it('POP3 → +OK greeting as banner', async () => {
      const r = await pop3Plugin.query(labContext(ADDR, 110));
      expect(r).toMatchObject({ status: 'success', answered: true });
      expect(r.data?.banner).toMatch(/^\+OK Dovecot/);
    });

    it('IMAP → * OK greeting (with capabilities) as banner', async () => {
      const r = await imapPlugin.query(labContext(ADDR, 143));
      expect(r).toMatchObject({ status: 'success', answered: true });
      expect(r.data?.banner).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 .*\] Dovecot/);
    });

    it('polite close: the server logs a logout, not a dropped connection', async () => {
      await pop3Plugin.query(labContext(ADDR, 110));
      await imapPlugin.query(labContext(ADDR, 143));
      // Dovecot writes its log asynchronously; poll briefly (bounded).
      const { readFileSync } = await import('node:fs');
      let log = '';
      for (let i = 0; i < 20 && !/Aborted login by logging out/.test(log); i++) {
        await new Promise((r) => setTimeout(r, 100));
        log = readFileSync(path.join(tmp.dir, 'dovecot.log'), 'utf8');
      }
      expect(log).toMatch(/pop3-login: .*Aborted login by logging out/);
      expect(log).toMatch(/imap-login: .*Aborted login by logging out/);
    });
  },
);
