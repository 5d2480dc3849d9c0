import { fileURLToPath } from 'node:url';

import { LocalSnapshotSchema, type LocalSocket } from '@fleetqry/contracts';

import { nodeFs, type LocalFs } from './local-fs.js';
import { readLocalSnapshot } from './snapshot.js';

/** A fixture /proc tree (testdata/proc) with malformed and truncated rows, missing files and, injected
 * here because tests may run as root, unreadable ones. */
const root = fileURLToPath(new URL('./testdata/proc', import.meta.url));
const passwdPath = fileURLToPath(new URL('./testdata/etc/passwd', import.meta.url));

function denying(...suffixes: string[]): LocalFs {
  const deny = (p: string) => {
    if (suffixes.some((s) => p.endsWith(s)))
      throw Object.assign(new Error(`EACCES: permission denied, ${p}`), { code: 'EACCES' });
  };
  return {
    readFile: (p) => (deny(p), nodeFs.readFile(p)),
    readdir: (p) => (deny(p), nodeFs.readdir(p)),
    readlink: (p) => (deny(p), nodeFs.readlink(p)),
  };
}

const read = (verbose: boolean, fs = denying('/300/fd', '/400/maps')) =>
  readLocalSnapshot({ procRoot: root, passwdPath, verbose, fs, host: 'fixture', now: () => new Date(0) });

const find = (sockets: LocalSocket[], proto: string, port: number, remotePort = 0) =>
  sockets.find(
    (s) => s.family === 'ipv4' && s.proto === proto && s.localPort === port && s.remotePort === remotePort,
  );

describe('readLocalSnapshot on a fixture /proc tree', () => {
  const snap = read(true);

  it('is a valid snapshot record', () => {
    expect(() => LocalSnapshotSchema.parse(snap)).not.toThrow();
    expect(snap.host).toBe('fixture');
    expect(snap.takenAt).toBe('1970-01-01T00:00:00.000Z');
  });

  it('reports malformed and truncated rows per table, but not a missing udp6', () => {
    expect(snap.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/net\/tcp: 3 malformed lines skipped$/),
        expect.stringMatching(/net\/tcp6: 1 malformed line skipped$/),
        expect.stringMatching(/net\/udp: 1 malformed line skipped$/),
        'Could not inspect the open sockets of 1 process (EACCES); sockets they own show no process',
      ]),
    );
    expect(snap.problems.join('\n')).not.toMatch(/udp6/);
  });

  it('maps sockets to PIDs, names, users, units and modules', () => {
    const ssh = find(snap.sockets, 'tcp', 22)!;
    expect(ssh).toMatchObject({
      pid: 100,
      process: 'sshd',
      user: 'root',
      uid: 0,
      unit: 'ssh.service',
      state: 'LISTENING',
      localAddress: '0.0.0.0',
      cmdline: 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups',
    });
    expect(ssh.modules).toEqual([
      { path: '/usr/sbin/sshd', base: '0x55d0c8a00000' },
      { path: '/usr/lib/x86_64-linux-gnu/libc.so.6', base: '0x7f3a1c000000' },
      { path: '/usr/lib/x86_64-linux-gnu/libcrypt.so.1', base: '0x7f3a1c400000' },
    ]);
    const ssh6 = snap.sockets.find((s) => s.family === 'ipv6' && s.localPort === 22)!;
    expect(ssh6).toMatchObject({ localAddress: '::1', pid: 100, otherPids: [101] });
    expect(find(snap.sockets, 'tcp', 40000, 22)).toMatchObject({
      pid: 200,
      process: 'ssh',
      user: 'alice',
      unit: 'session-4.scope',
      state: 'ESTABLISHED',
    });
    expect(find(snap.sockets, 'tcp', 22, 40000)).toMatchObject({ pid: 100, state: 'ESTABLISHED' });
    expect(find(snap.sockets, 'udp', 53)).toMatchObject({
      pid: 500,
      process: 'dnsmasq',
      state: null,
      container: { runtime: 'docker', id: '4f2a9c1e7b3d' },
    });
    expect(find(snap.sockets, 'udp', 53)!.cmdline).toBeUndefined();
    expect(snap.sockets.find((s) => s.family === 'ipv6' && s.localPort === 80)!.localAddress).toBe(
      '::ffff:127.0.0.1',
    );
  });

  it('says what it could not read, like PortQry, and never guesses an owner', () => {
    // pid 300's fd directory is unreadable: its socket has no owner, the socket's uid gives the user
    expect(find(snap.sockets, 'tcp', 8080)).toMatchObject({ pid: null, process: null, uid: 104 });
    // TIME_WAIT has inode 0: no owner
    expect(find(snap.sockets, 'tcp', 40001, 22)).toMatchObject({ pid: null, state: 'TIME_WAIT' });
    // pid 400: no comm (falls back to status), maps denied, no cgroup file
    const mystery = find(snap.sockets, 'tcp', 443)!;
    expect(mystery).toMatchObject({ pid: 400, process: 'mystery', user: 'www-data' });
    expect(mystery.notes).toEqual([
      'Could not access service information (ENOENT)',
      'Could not access module information (EACCES)',
    ]);
    expect(mystery.modules).toBeUndefined();
    // pid 600 vanished: only its fd link was left
    expect(find(snap.sockets, 'tcp', 8081)).toMatchObject({
      pid: 600,
      process: null,
      notes: ['Process exited while it was being read'],
    });
  });

  it('reads no modules unless verbose', () => {
    expect(read(false).sockets.some((s) => s.modules !== undefined)).toBe(false);
    expect(read(false).sockets.some((s) => s.notes?.some((n) => n.includes('module')))).toBe(false);
  });

  it('sorts by PID (unowned last), TCP before UDP, then port', () => {
    const pids = snap.sockets.map((s) => s.pid ?? Infinity);
    expect([...pids].sort((a, b) => a - b)).toEqual(pids);
  });

  it('survives a proc root that is not there, and denied tables', () => {
    const empty = readLocalSnapshot({ procRoot: '/nonexistent-proc', passwdPath: '/nonexistent-passwd' });
    expect(empty.sockets).toEqual([]);
    expect(empty.problems).toEqual([
      'Could not read /nonexistent-proc/net/tcp (ENOENT)',
      'Could not read /nonexistent-proc/net/udp (ENOENT)',
      'Could not read /nonexistent-passwd (ENOENT)',
    ]);
    const denied = read(false, denying('net/tcp', '/fd'));
    expect(denied.problems).toContain(`Could not read ${root}/net/tcp (EACCES)`);
    expect(denied.sockets.every((s) => s.pid === null)).toBe(true);
  });
});
