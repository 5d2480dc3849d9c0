import { parseCgroup } from './cgroup.js';
import { parseMaps } from './maps.js';
import { parsePasswd } from './passwd.js';

describe('parseCgroup', () => {
  it('finds the systemd unit in the unified hierarchy', () => {
    expect(parseCgroup('0::/system.slice/nginx.service\n')).toEqual({ unit: 'nginx.service' });
    expect(parseCgroup('0::/user.slice/user-1000.slice/user@1000.service/app.slice/foo.scope\n')).toEqual({
      unit: 'foo.scope',
    });
  });

  it('uses name=systemd on cgroup v1 and ignores a root unified line', () => {
    expect(parseCgroup('4:memory:/x\n1:name=systemd:/system.slice/ssh.service\n0::/\n')).toEqual({
      unit: 'ssh.service',
    });
  });

  it('recognises container runtimes', () => {
    const id = 'a'.repeat(64);
    expect(parseCgroup(`0::/system.slice/docker-${id}.scope`).container).toEqual({
      runtime: 'docker',
      id: 'aaaaaaaaaaaa',
    });
    expect(parseCgroup(`12:pids:/docker/${id}\n`).container?.runtime).toBe('docker');
    expect(
      parseCgroup(
        `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-${id}.scope`,
      ).container?.runtime,
    ).toBe('containerd');
    expect(parseCgroup(`0::/kubepods/besteffort/pod1234-5678/${id}`).container?.runtime).toBe('kubernetes');
    expect(parseCgroup(`0::/machine.slice/libpod-${id}.scope/container`).container?.runtime).toBe('podman');
    expect(parseCgroup('0::/lxc.payload.web1/init.scope').container).toEqual({ runtime: 'lxc', id: 'web1' });
  });

  it('keeps an unrecognised path and returns nothing for the root or junk', () => {
    expect(parseCgroup('4:memory:/process_api/43ef\n0::/')).toEqual({ cgroup: '/process_api/43ef' });
    expect(parseCgroup('0::/\n')).toEqual({});
    expect(parseCgroup('garbage\n\n::')).toEqual({});
  });
});

describe('parseMaps', () => {
  it('lists executable file mappings once each, at their lowest address', () => {
    const mods = parseMaps(
      [
        '55d0c8a00000-55d0c8a0c000 r--p 00000000 08:01 1311 /usr/sbin/sshd',
        '55d0c8a0c000-55d0c8a8f000 r-xp 0000c000 08:01 1311 /usr/sbin/sshd',
        '7f3a1c028000-7f3a1c1bd000 r-xp 00028000 08:01 2001 /usr/lib/libc.so.6',
        '7f3a1c000000-7f3a1c028000 r--p 00000000 08:01 2001 /usr/lib/libc.so.6',
        '7f3a1b800000-7f3a1bb00000 r--p 00000000 08:01 3001 /usr/lib/locale/locale-archive',
        '7f3a1d000000-7f3a1d001000 r-xp 00000000 08:01 4001 /tmp/my lib.so (deleted)',
        '7ffd5a7f2000-7ffd5a7f4000 r-xp 00000000 00:00 0 [vdso]',
        '7f3a1c5 r-x',
      ].join('\n'),
    );
    expect(mods).toEqual([
      { path: '/usr/sbin/sshd', base: '0x55d0c8a00000' },
      { path: '/usr/lib/libc.so.6', base: '0x7f3a1c000000' },
      { path: '/tmp/my lib.so', base: '0x7f3a1d000000' },
    ]);
  });
});

describe('parsePasswd', () => {
  it('maps uids to names, skipping comments and broken lines', () => {
    const users = parsePasswd(
      'root:x:0:0::/root:/bin/sh\n# c\nbroken\nbob:x:1001:1001::/:/bin/sh\nx:x:nan:1::/:\n',
    );
    expect([...users]).toEqual([
      [0, 'root'],
      [1001, 'bob'],
    ]);
  });
});
