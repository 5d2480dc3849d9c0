/**
 * The CLDAP plugin against a real samba 4.17 Active Directory DC (provisioned into a temporary
 * directory, bound to 127.43.0.20 only, services ldap + cldap), cross-checked with the TCP LDAP plugin
 * on the same DC. Needs Debian's samba, samba-ad-provision, samba-dsdb-modules and samba-vfs-modules.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { daemonsInstalled, run, tempDir } from '../../testing/lab-daemons.js';
import { ldapPlugin } from '../ldap/index.js';
import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { cldapPlugin } from './index.js';

const SAMBA = '/usr/sbin/samba';
const SAMBA_TOOL = '/usr/bin/samba-tool';
const ADDR = '127.43.0.20';
const NOT_LISTENING = '127.43.0.21';
const enabled = daemonsInstalled('cldap against a samba AD DC', [
  SAMBA,
  SAMBA_TOOL,
  '/usr/share/samba/setup/ad-schema', // samba-ad-provision
  '/usr/lib/x86_64-linux-gnu/samba/ldb/samba_secrets.so', // samba-dsdb-modules
  '/usr/lib/x86_64-linux-gnu/samba/vfs/acl_xattr.so', // samba-vfs-modules (provision sets sysvol ACLs)
]);

let tmp: ReturnType<typeof tempDir> | undefined;
let samba: ChildProcess | undefined;
let output = '';
let addedAddress = false;

function hasAddress(addr: string): boolean {
  return execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']).toString().includes(` ${addr}/`);
}

function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port });
    const t = setTimeout(() => (s.destroy(), resolve(false)), 500);
    s.once('connect', () => (clearTimeout(t), s.destroy(), resolve(true)));
    s.once('error', () => (clearTimeout(t), resolve(false)));
  });
}

function ctx(proto: 'udp' | 'tcp', address = ADDR, timeoutMs = 2000): ProtocolContext {
  return {
    host: address,
    address,
    port: 389,
    proto,
    timeoutMs,
    signal: new AbortController().signal,
    options: DEFAULT_COMMON_OPTIONS,
  };
}

(enabled ? describe : describe.skip)('cldap plugin against a samba AD DC', () => {
  beforeAll(async () => {
    if (!hasAddress(ADDR)) {
      execFileSync('ip', ['addr', 'add', `${ADDR}/32`, 'dev', 'lo']); // samba binds only interface addresses
      addedAddress = true;
    }
    tmp = tempDir('cldap');
    const target = path.join(tmp.dir, 'dc');
    await run(
      SAMBA_TOOL,
      [
        'domain',
        'provision',
        '--realm=FQ.TEST',
        '--domain=FQ',
        '--server-role=dc',
        '--dns-backend=NONE',
        '--adminpass=Fq-Test-Pass1!',
        `--targetdir=${target}`,
        `--host-ip=${ADDR}`,
        '--host-name=fqdc43',
        `--option=interfaces=${ADDR}/32`,
        '--option=bind interfaces only=yes',
        '--option=disable netbios=yes',
      ],
      120_000,
    );
    const conf = path.join(target, 'etc', 'smb.conf');
    if (!existsSync(conf)) throw new Error('samba-tool did not write smb.conf');
    // -i: foreground; samba makes its own process group and takes its children down on SIGTERM.
    samba = spawn(SAMBA, ['-i', '-s', conf, '--option=server services=ldap cldap'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    samba.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    samba.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    // Ready when CLDAP answers and TCP 389 accepts (bounded: 60 tries of ≤ 1.5 s).
    for (let i = 0; i < 60; i++) {
      if (samba.exitCode !== null) throw new Error(`samba exited ${samba.exitCode}:\n${output}`);
      const udpUp = (await cldapPlugin.query(ctx('udp', ADDR, 500))).status === 'success';
      if (udpUp && (await accepts(ADDR, 389))) return; // the ldap task (TCP) can come up after cldap
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`samba's CLDAP did not answer within 30 s:\n${output}`);
  }, 180_000);

  afterAll(async () => {
    const child = samba;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => (clearTimeout(kill), resolve()));
        child.kill('SIGTERM');
      });
    }
    tmp?.remove();
    if (addedAddress) execFileSync('ip', ['addr', 'del', `${ADDR}/32`, 'dev', 'lo']);
  }, 20_000);

  it('reads the rootDSE over UDP, the same values TCP 389 gives', async () => {
    const udp = await cldapPlugin.query(ctx('udp'));
    expect(udp).toMatchObject({ status: 'success', answered: true });
    const dse = udp.data!.ldap!.rootDSE;
    expect(dse.defaultNamingContext).toEqual(['DC=fq,DC=test']);
    expect(dse.dnsHostName).toEqual(['fqdc43.fq.test']);
    expect(dse.supportedLDAPVersion).toEqual(['2', '3']);
    const tcp = await ldapPlugin.query(ctx('tcp'));
    expect(tcp).toMatchObject({ status: 'success' });
    const tcpDse = tcp.data!.ldap!.rootDSE;
    for (const attr of [
      'defaultNamingContext',
      'dnsHostName',
      'dsServiceName',
      'namingContexts',
      'vendorName',
    ])
      expect(dse[attr]).toEqual(tcpDse[attr]);
  });

  it('ICMP port unreachable where nothing listens → connection-refused', async () => {
    expect(await cldapPlugin.query(ctx('udp', NOT_LISTENING, 1000))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
});
