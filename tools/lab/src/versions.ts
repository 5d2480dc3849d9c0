// Product versions and banners derived from the installed Debian packages (never guessed).
import fs from 'node:fs';

import { runBoth } from './util.js';

function grab(text: string, re: RegExp, what: string): string {
  const m = re.exec(text);
  if (!m) throw new Error(`cannot derive ${what} from: ${text.slice(0, 200)}`);
  return m[1] ?? m[0];
}

export function deriveVersions(): Record<string, string> {
  const sshdBin = fs.readFileSync('/usr/sbin/sshd').toString('latin1');
  return {
    nginx: grab(runBoth('/usr/sbin/nginx', ['-v']), /nginx\/[\d.]+/, 'nginx version'),
    openssh: 'SSH-2.0-' + grab(sshdBin, /OpenSSH_[\d.]+p\d+ Debian-[\w.+~-]+/, 'OpenSSH release'),
    dropbear:
      'SSH-2.0-dropbear_' + grab(runBoth('/usr/sbin/dropbear', ['-V']), /v(\d[\d.]*)/, 'dropbear version'),
    lighttpd: grab(runBoth('/usr/sbin/lighttpd', ['-v']), /lighttpd\/[\d.]+/, 'lighttpd version'),
    pyhttp: runBoth('/usr/bin/python3', [
      '-c',
      'import http.server as h;print(h.SimpleHTTPRequestHandler.server_version, h.BaseHTTPRequestHandler.sys_version)',
    ]).trim(),
    dnsmasq:
      'dnsmasq-' + grab(runBoth('/usr/sbin/dnsmasq', ['--version']), /version ([\d.]+)/, 'dnsmasq version'),
    redis: grab(runBoth('/usr/bin/redis-server', ['--version']), /v=([\d.]+)/, 'redis version'),
    vsftpd: grab(vsftpdVersion(), /version ([\d.]+)/, 'vsftpd version'),
    dovecot: grab(runBoth('/usr/sbin/dovecot', ['--version']), /^([\d.]+)/, 'dovecot version'),
    opensmtpd: grab(
      runBoth('/usr/bin/dpkg-query', ['-W', '-f=${Version}', 'opensmtpd']),
      /^(\S+)/,
      'opensmtpd',
    ),
    slapd: grab(runBoth('/usr/sbin/slapd', ['-VV']), /slapd ([\d.]+)/, 'slapd version'),
    samba: runBoth('/usr/sbin/smbd', ['-V']).trim(),
    busybox: grab(runBoth('/bin/busybox', ['--help']), /BusyBox (v[\d.]+)/, 'busybox version'),
    snmpd: grab(runBoth('/usr/sbin/snmpd', ['-v']), /version:\s+([\d.]+)/, 'snmpd version'),
  };
}

/** vsftpd prints its version on fd 0, so run it through a shell that points fd 0 at stdout. */
function vsftpdVersion(): string {
  return runBoth('/bin/sh', ['-c', '/usr/sbin/vsftpd -v 0>&1']);
}
