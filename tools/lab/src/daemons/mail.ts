// Mail hosts: OpenSMTPD on 25 (rejects everything), dovecot POP3 110 + IMAP 143 (no account exists).
import fs from 'node:fs';
import path from 'node:path';

import type { PlanBuilder } from '../builder.js';
import { hostName } from '../config.js';
import { run, writeFile } from '../util.js';

// Dovecot 2.3's pre-login IMAP capability with ssl=no and plaintext auth disabled.
const IMAP_PRELOGIN_CAPS = 'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ LOGINDISABLED';

export function planMail(b: PlanBuilder): void {
  const hosts = b.with((r) => r.mail);
  if (!hosts.length) return;
  planSmtpd(b, hosts);
  planDovecot(b, hosts);
}

function planSmtpd(b: PlanBuilder, hosts: ReturnType<PlanBuilder['with']>): void {
  const file = path.join(b.cfg.conf, 'smtpd.conf');
  const conf = [
    '# fleetqry lab OpenSMTPD: answers, accepts no mail',
    ...hosts.map((h) => `listen on ${h.truth.address} port 25 hostname ${hostName(h.index)}`),
    'action "nowhere" relay host smtp://127.0.0.1:9',
    'match from any for any reject',
  ];
  writeFile(file, conf.join('\n') + '\n', 0o600);
  // smtpd's control socket is /run/smtpd.sock: give this instance a private /run so it can coexist
  const privRun = path.join(b.cfg.data, 'smtpd-run');
  fs.mkdirSync(privRun, { recursive: true, mode: 0o755 });
  b.launch({ name: 'smtpd', comm: 'smtpd', cmd: ['/usr/sbin/smtpd', '-d', '-f', file] }, [[privRun, '/run']]);
  for (const h of hosts) {
    b.listen(h, 'tcp', 25, 'opensmtpd');
    h.truth.banners['tcp/25'] = `220 ${hostName(h.index)} ESMTP OpenSMTPD`;
    b.tag(h, 'smtp');
  }
}

function planDovecot(b: PlanBuilder, hosts: ReturnType<PlanBuilder['with']>): void {
  const dir = path.join(b.cfg.conf, 'dovecot');
  const base = path.join(b.cfg.data, 'dovecot-base');
  const stateDir = path.join(b.cfg.data, 'dovecot-state');
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  fs.mkdirSync(stateDir, { recursive: true });
  writeFile(path.join(dir, 'users'), ''); // no accounts
  const conf = `# fleetqry lab dovecot: greets, nobody can log in
base_dir = ${base}
state_dir = ${stateDir}
instance_name = fqlab-dovecot
protocols = imap pop3
listen = ${hosts.map((h) => h.truth.address).join(', ')}
ssl = no
disable_plaintext_auth = yes
auth_mechanisms = plain
log_path = ${b.cfg.log}/dovecot.log
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = passwd-file
  args = ${dir}/users
}
service imap-login {
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3s {
    port = 0
  }
}
`;
  const file = path.join(dir, 'dovecot.conf');
  writeFile(file, conf);
  const greeting = run('/usr/bin/doveconf', ['-c', file, '-h', 'login_greeting']).trim();
  b.launch({ name: 'dovecot', comm: 'dovecot', cmd: ['/usr/sbin/dovecot', '-F', '-c', file] });
  for (const h of hosts) {
    b.listen(h, 'tcp', 110, 'dovecot-pop3');
    b.listen(h, 'tcp', 143, 'dovecot-imap');
    h.truth.banners['tcp/110'] = `+OK ${greeting}`;
    h.truth.banners['tcp/143'] = `* OK [CAPABILITY ${IMAP_PRELOGIN_CAPS}] ${greeting}`;
    b.tag(h, 'pop3', 'imap');
  }
}
