// TCP 22: OpenSSH (<=16 ListenAddress per sshd), dropbear (<=10 -p per process), socat fixed banner.
import fs from 'node:fs';
import path from 'node:path';

import type { PlanBuilder } from '../builder.js';
import { hostLabel } from '../config.js';
import { chunks, run, writeFile } from '../util.js';

const CISCO_BANNER = 'SSH-2.0-Cisco-1.25';

export function planSsh(b: PlanBuilder): void {
  const dir = path.join(b.cfg.conf, 'ssh');
  fs.mkdirSync(dir, { recursive: true });

  const openssh = b.with((r) => r.openssh);
  const keyTypes = ['ed25519', 'ecdsa', 'rsa'];
  if (openssh.length) {
    for (const t of keyTypes) {
      const key = path.join(dir, `ssh_host_${t}_key`);
      if (!fs.existsSync(key))
        run('/usr/bin/ssh-keygen', ['-q', '-t', t, '-N', '', '-C', 'fqlab', '-f', key]);
    }
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  }
  chunks(openssh, 16).forEach((group, k) => {
    const name = `sshd-${k}`;
    const conf = [
      '# fleetqry lab OpenSSH: nobody can log in',
      ...group.map((h) => `ListenAddress ${h.truth.address}:22`),
      ...keyTypes.map((t) => `HostKey ${path.join(dir, `ssh_host_${t}_key`)}`),
      `PidFile ${path.join(b.cfg.run, `${name}.daemon.pid`)}`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AuthorizedKeysFile none',
      'PermitRootLogin no',
      'DenyUsers *',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'UseDNS no',
      'LoginGraceTime 10',
      'MaxStartups 100:30:200',
      'LogLevel ERROR',
    ];
    writeFile(path.join(dir, `${name}.conf`), conf.join('\n') + '\n', 0o600);
    b.launch({
      name,
      comm: 'sshd',
      cmd: [
        '/usr/sbin/sshd',
        '-D',
        '-f',
        path.join(dir, `${name}.conf`),
        '-E',
        path.join(b.cfg.log, `${name}.log`),
      ],
    });
    for (const h of group) sshHost(b, h, b.versions.openssh!, 'openssh');
  });

  const dropbear = b.with((r) => r.dropbear);
  const dbKey = path.join(dir, 'dropbear_ed25519_host_key');
  if (dropbear.length && !fs.existsSync(dbKey)) run('/usr/bin/dropbearkey', ['-t', 'ed25519', '-f', dbKey]);
  chunks(dropbear, 10).forEach((group, k) => {
    const name = `dropbear-${k}`;
    const cmd = [
      '/usr/sbin/dropbear',
      '-F',
      '-E',
      '-s',
      '-w',
      '-j',
      '-k',
      '-r',
      dbKey,
      '-P',
      path.join(b.cfg.run, `${name}.daemon.pid`),
    ];
    for (const h of group) cmd.push('-p', `${h.truth.address}:22`);
    b.launch({ name, comm: 'dropbear', cmd });
    for (const h of group) sshHost(b, h, b.versions.dropbear!, 'dropbear');
  });

  const bannerFile = path.join(dir, 'cisco-banner.txt');
  writeFile(bannerFile, `${CISCO_BANNER}\r\n`);
  for (const h of b.with((r) => r.ciscoSsh)) {
    b.launch({
      name: `socat-ssh-${hostLabel(h.index)}`,
      comm: 'socat',
      cmd: [
        '/usr/bin/socat',
        `TCP-LISTEN:22,bind=${h.truth.address},reuseaddr,fork,backlog=128`,
        `OPEN:${bannerFile},rdonly`,
      ],
    });
    sshHost(b, h, CISCO_BANNER, 'socat-banner');
    b.tag(h, 'ssh-cisco');
  }
}

function sshHost(
  b: PlanBuilder,
  h: Parameters<PlanBuilder['listen']>[0],
  banner: string,
  service: string,
): void {
  b.listen(h, 'tcp', 22, service);
  h.truth.banners['tcp/22'] = banner;
  b.tag(h, 'ssh', service);
}
