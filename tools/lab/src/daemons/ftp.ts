// vsftpd: one standalone foreground instance per FTP host (vsftpd binds a single listen_address).
import fs from 'node:fs';
import path from 'node:path';

import type { PlanBuilder } from '../builder.js';
import { hostLabel } from '../config.js';
import { writeFile } from '../util.js';

export function planFtp(b: PlanBuilder): void {
  const hosts = b.with((r) => r.ftp);
  if (!hosts.length) return;
  const dir = path.join(b.cfg.conf, 'vsftpd');
  const root = path.join(b.cfg.data, 'ftp-root');
  const empty = path.join(b.cfg.data, 'vsftpd-empty');
  writeFile(path.join(root, 'README.txt'), 'fleetqry lab anonymous FTP\n');
  fs.mkdirSync(empty, { recursive: true });
  for (const d of [root, empty, b.cfg.data]) fs.chmodSync(d, 0o755); // vsftpd refuses writable anon roots
  writeFile(path.join(dir, 'nobody-allowed'), ''); // userlist with no entries: every login is refused
  for (const h of hosts) {
    const anon = h.roles.ftp === 'anonymous';
    const label = hostLabel(h.index);
    const conf = [
      'listen=YES',
      'listen_ipv6=NO',
      `listen_address=${h.truth.address}`,
      'listen_port=21',
      'background=NO',
      `anonymous_enable=${anon ? 'YES' : 'NO'}`,
      'no_anon_password=YES',
      `anon_root=${root}`,
      `local_enable=${anon ? 'NO' : 'YES'}`, // vsftpd needs one login type enabled
      `userlist_enable=${anon ? 'NO' : 'YES'}`,
      'userlist_deny=NO',
      `userlist_file=${path.join(dir, 'nobody-allowed')}`,
      'write_enable=NO',
      `secure_chroot_dir=${empty}`,
      'pam_service_name=vsftpd',
      'xferlog_enable=NO',
      'seccomp_sandbox=NO',
      'pasv_min_port=40000',
      'pasv_max_port=40999',
    ];
    writeFile(path.join(dir, `${label}.conf`), conf.join('\n') + '\n', 0o600);
    b.launch({
      name: `vsftpd-${label}`,
      comm: 'vsftpd',
      stdinIsLog: true,
      cmd: ['/usr/sbin/vsftpd', path.join(dir, `${label}.conf`)],
    });
    b.listen(h, 'tcp', 21, 'vsftpd');
    h.truth.banners['tcp/21'] = `220 (vsFTPd ${b.versions.vsftpd})`;
    h.truth.ftp['tcp/21'] = { anonymous: anon };
    b.tag(h, 'ftp', anon ? 'ftp-anonymous' : 'ftp-no-anonymous');
  }
}
