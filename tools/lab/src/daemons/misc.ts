// redis 6379, busybox telnetd 23, samba-dcerpcd endpoint mapper 135 (exactly one host).
import fs from 'node:fs';
import path from 'node:path';

import type { PlanBuilder } from '../builder.js';
import { hostLabel } from '../config.js';
import { chunks, writeFile } from '../util.js';

const MSRPC_DYNAMIC = [49152, 49160];

export function planMisc(b: PlanBuilder): void {
  chunks(
    b.with((r) => r.redis),
    16,
  ).forEach((group, k) => {
    const dir = path.join(b.cfg.data, `redis-${k}`);
    fs.mkdirSync(dir, { recursive: true });
    b.launch({
      name: `redis-${k}`,
      comm: 'redis-server',
      cmd: [
        '/usr/bin/redis-server',
        '--bind',
        ...group.map((h) => h.truth.address),
        '--port',
        '6379',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
        '--daemonize',
        'no',
        '--dir',
        dir,
        '--logfile',
        path.join(b.cfg.log, `redis-${k}.log`),
      ],
    });
    for (const h of group) {
      b.listen(h, 'tcp', 6379, 'redis');
      b.tag(h, 'redis');
    }
  });

  const login = path.join(b.cfg.conf, 'telnet-login.sh');
  writeFile(login, TELNET_LOGIN, 0o755);
  for (const h of b.with((r) => r.telnet)) {
    const label = hostLabel(h.index);
    const issue = path.join(b.cfg.conf, `telnet-issue-${label}`);
    writeFile(issue, `fleetqry lab ${label} (busybox telnetd)\n`);
    b.launch({
      name: `telnetd-${label}`,
      comm: 'busybox',
      cmd: ['/bin/busybox', 'telnetd', '-F', '-b', `${h.truth.address}:23`, '-f', issue, '-l', login],
    });
    b.listen(h, 'tcp', 23, 'telnetd');
    b.tag(h, 'telnet');
  }

  for (const h of b.with((r) => r.msrpc)) planSamba(b, h);
}

// The "login" program telnetd runs: a prompt that never lets anybody in.
const TELNET_LOGIN = `#!/bin/sh
printf 'login: '
read -r _user || exit 0
printf 'Password: '
read -r _pw || exit 0
sleep 1
echo 'Login incorrect'
`;

function planSamba(b: PlanBuilder, h: ReturnType<PlanBuilder['with']>[number]): void {
  const a = h.truth.address;
  const sd = path.join(b.cfg.data, 'samba');
  for (const sub of ['private', 'lock', 'state', 'cache', 'ncalrpc', 'pid'])
    fs.mkdirSync(path.join(sd, sub), { recursive: true });
  const conf = `# fleetqry lab samba-dcerpcd: DCE/RPC endpoint mapper only (no SMB)
[global]
  workgroup = FQLAB
  netbios name = FQLAB-${hostLabel(h.index).toUpperCase()}
  server role = standalone server
  interfaces = ${a}/32
  bind interfaces only = yes
  rpc start on demand helpers = no
  rpc server dynamic port range = ${MSRPC_DYNAMIC[0]}-${MSRPC_DYNAMIC[1]}
  private dir = ${sd}/private
  lock directory = ${sd}/lock
  state directory = ${sd}/state
  cache directory = ${sd}/cache
  pid directory = ${sd}/pid
  ncalrpc dir = ${sd}/ncalrpc
  log file = ${b.cfg.log}/samba-%m.log
  log level = 1
  disable netbios = yes
  load printers = no
  printcap name = /dev/null
  disable spoolss = yes
`;
  const file = path.join(b.cfg.conf, 'smb.conf');
  writeFile(file, conf);
  b.loAddrs.push(a); // samba binds only addresses that sit on an interface
  b.launch({
    name: 'samba-dcerpcd',
    comm: 'samba-dcerpcd',
    cmd: ['/usr/libexec/samba/samba-dcerpcd', '-F', '--no-process-group', '-s', file, '--libexec-rpcds'],
  });
  b.listen(h, 'tcp', 135, 'samba-dcerpcd');
  b.tag(h, 'msrpc');
}
