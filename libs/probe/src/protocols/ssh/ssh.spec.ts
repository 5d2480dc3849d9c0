import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Observation } from '@fleetqry/contracts';

import { parseSshIdent, sshIdentFramer, sshPlugin } from './index.js';

const td = (name: string): Buffer =>
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', name));

function ident(name: string): Buffer {
  const bytes = td(name);
  const f = sshIdentFramer(bytes);
  if (f.kind !== 'complete') throw new Error(`${name}: ${f.kind}`);
  return bytes.subarray(0, f.length);
}

describe('SSH identification on recorded bytes', () => {
  it('OpenSSH 9.2 (recorded): protoversion, software and comments', () => {
    expect(parseSshIdent(ident('openssh-9.2-ident.bin'))).toEqual({
      line: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10',
      preBanner: [],
      data: { protoVersion: '2.0', software: 'OpenSSH_9.2p1', comments: 'Debian-2+deb12u10' },
    });
  });

  it('dropbear 2022.83 (recorded): the frame stops before the binary KEXINIT that follows', () => {
    const bytes = td('dropbear-2022.83-ident-kexinit.bin');
    const frame = ident('dropbear-2022.83-ident-kexinit.bin');
    expect(frame.length).toBeLessThan(bytes.length);
    expect(parseSshIdent(frame).data).toEqual({ protoVersion: '2.0', software: 'dropbear_2022.83' });
  });

  it('pre-banner lines are skipped and kept apart', () => {
    const p = parseSshIdent(ident('pre-banner-lines.bin'));
    expect(p.preBanner).toEqual(['Welcome to the lab', 'Authorized use only']);
    expect(p.data).toEqual({
      protoVersion: '2.0',
      software: 'OpenSSH_8.9p1',
      comments: 'Ubuntu-3ubuntu0.10',
    });
  });

  it('1.99 and 1.5 identifications parse (LF-only accepted)', () => {
    expect(parseSshIdent(ident('ssh-1.99-no-comments.bin')).data).toEqual({
      protoVersion: '1.99',
      software: 'Cisco-1.25',
    });
    expect(parseSshIdent(ident('ssh-1.5-legacy.bin')).data?.protoVersion).toBe('1.5');
  });

  it('truncated → more; NUL bytes → invalid; "SSH-2.0" alone has no software', () => {
    expect(sshIdentFramer(td('truncated.bin')).kind).toBe('more');
    expect(sshIdentFramer(td('nul-garbage.bin')).kind).toBe('invalid');
    expect(parseSshIdent(ident('malformed-ident.bin')).data).toBeUndefined();
  });

  it('more than 1024 pre-banner lines is not SSH', () => {
    expect(sshIdentFramer(Buffer.from('x\r\n'.repeat(1100))).kind).toBe('invalid');
  });
});

describe('sshPlugin.describe', () => {
  it('prints the identification line and its parts', () => {
    const obs = {
      banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10',
      ssh: { protoVersion: '2.0', software: 'OpenSSH_9.2p1', comments: 'Debian-2+deb12u10' },
      protocol: { name: 'ssh', status: 'success', durationMs: 1 },
    };
    expect(sshPlugin.describe(obs as Observation)).toEqual([
      'Data returned from port:',
      'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10',
      'SSH protocol 2.0, software: OpenSSH_9.2p1, comments: Debian-2+deb12u10',
    ]);
  });
});
