import { fileURLToPath } from 'node:url';

import { readLocalSnapshot } from '@fleetqry/local';

import { localCsv } from './local-csv.js';
import { renderLocal, watchLine } from './local-report.js';

const snap = readLocalSnapshot({
  procRoot: fileURLToPath(new URL('../../../../libs/local/src/testdata/proc', import.meta.url)),
  passwdPath: fileURLToPath(new URL('../../../../libs/local/src/testdata/etc/passwd', import.meta.url)),
  verbose: true,
  host: 'fixture',
});

describe('renderLocal (PortQry -local layout) on the fixture /proc', () => {
  const text = renderLocal(snap, false).join('\n');
  const verbose = renderLocal(snap, true).join('\n');

  it('groups ports by PID with the process name', () => {
    expect(text).toMatch(
      /Process ID: 100 \(sshd\)\n\nPID +Port +Local IP +State +Remote IP:Port\n100 +TCP 22 +0\.0\.0\.0 +LISTENING +0\.0\.0\.0:0\n100 +TCP 22 +::1 +LISTENING +\[::\]:0\n/,
    );
    expect(text).toMatch(/Process ID: 500 \(dnsmasq\)\n\n.*\n500 +UDP 53 +0\.0\.0\.0 +\*:\*\n/);
    expect(text).toMatch(
      /Sockets with no owning process[^\n]*\n\n(.*\n)+- +TCP 40001 +127\.0\.0\.1 +TIME_WAIT +127\.0\.0\.1:22/,
    );
    expect(text).not.toContain('Loaded modules');
    expect(text).not.toContain('Service Name');
  });

  it('ends with Port Statistics: mapping counts and TCP state percentages', () => {
    const stats = text.slice(text.indexOf('Port Statistics'));
    expect(stats).toMatch(/^Port Statistics\n\nTCP mappings: 10\nUDP mappings: 2\n\n/);
    expect(stats).toMatch(/TCP ports in a LISTENING state: +7 = 70\.00%\n/);
    expect(stats).toMatch(/TCP ports in a ESTABLISHED state: +2 = 20\.00%\n/);
    expect(stats).toMatch(/TCP ports in a TIME_WAIT state: +1 = 10\.00%\n/);
    expect(stats).toMatch(/net\/tcp: 3 malformed lines skipped/);
  });

  it('-v adds the unit, container, user, command line, modules and what could not be read', () => {
    expect(verbose).toMatch(
      /Process ID: 100 \(sshd\)\n\nService Name: ssh\.service\nUser: root\nCommand line: sshd: /,
    );
    expect(verbose).toMatch(
      /Loaded modules:\n\/usr\/sbin\/sshd \(0x55d0c8a00000\)\n\/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6 \(0x7f3a1c000000\)\n/,
    );
    expect(verbose).toContain('Container: docker 4f2a9c1e7b3d');
    expect(verbose).toContain('Sockets shared with PIDs: 101');
    expect(verbose).toMatch(/Process ID: 600 \(unknown\)[\s\S]*?Process exited while it was being read/);
  });
});

describe('localCsv', () => {
  it('writes one row per socket with csvField quoting', () => {
    const lines = localCsv(snap.sockets).trimEnd().split('\n');
    expect(lines[0]).toBe(
      'pid,process,proto,family,localAddress,localPort,remoteAddress,remotePort,state,user,uid,unit,container,cmdline,modules,notes',
    );
    expect(lines).toHaveLength(snap.sockets.length + 1);
    expect(lines[1]).toMatch(
      /^100,sshd,tcp,ipv4,0\.0\.0\.0,22,0\.0\.0\.0,0,LISTENING,root,0,ssh\.service,,sshd: \/usr\/sbin\/sshd -D \[listener\] 0 of 10-100 startups,\/usr\/sbin\/sshd@0x55d0c8a00000;/,
    );
    expect(
      lines.some((l) =>
        l.startsWith('500,dnsmasq,udp,ipv4,0.0.0.0,53,0.0.0.0,0,,root,0,,docker:4f2a9c1e7b3d,'),
      ),
    ).toBe(true);
  });
});

describe('watchLine', () => {
  const s = snap.sockets.find((x) => x.pid === 200 && x.proto === 'tcp')!;
  it('prints a timestamp, the change, the endpoints, the state and the owner', () => {
    expect(watchLine({ change: 'new', at: '2026-01-01T00:00:00.000Z', socket: s })).toBe(
      '2026-01-01T00:00:00.000Z  New  TCP 127.0.0.1:40000 127.0.0.1:22  ESTABLISHED  PID 200 (ssh)',
    );
    expect(
      watchLine({
        change: 'state',
        at: 'T',
        socket: { ...s, state: 'TIME_WAIT' },
        previousState: 'ESTABLISHED',
      }),
    ).toBe('T  State change  TCP 127.0.0.1:40000 127.0.0.1:22  ESTABLISHED -> TIME_WAIT  PID 200 (ssh)');
    expect(watchLine({ change: 'closed', at: 'T', socket: { ...s, pid: null, process: null } })).toBe(
      'T  Closed  TCP 127.0.0.1:40000 127.0.0.1:22  ESTABLISHED  no owning process',
    );
  });
});
