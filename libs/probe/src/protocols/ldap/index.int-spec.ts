/** The LDAP plugin against a real slapd (mdb, dc=lab,dc=example) on 127.41.0.2. */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { ldapPlugin } from './index.js';

const SLAPD = '/usr/sbin/slapd';
const ADDR = '127.41.0.2';
const CLOSED = '127.41.0.9';
let dir = '';
let child: ChildProcess | undefined;

function ctx(address = ADDR): ProtocolContext {
  return {
    host: address,
    address,
    port: 389,
    proto: 'tcp',
    timeoutMs: 2000,
    signal: new AbortController().signal,
    options: DEFAULT_COMMON_OPTIONS,
  };
}

beforeAll(async () => {
  try {
    accessSync(SLAPD, constants.X_OK);
  } catch {
    throw new Error(`${SLAPD} is missing: install Debian's slapd to run this test`);
  }
  dir = mkdtempSync(join(tmpdir(), 'fleetqry-ldap-'));
  mkdirSync(join(dir, 'db'));
  const pidFile = join(dir, 'slapd.pid');
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      `pidfile ${pidFile}`,
      `argsfile ${join(dir, 'slapd.args')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'database mdb',
      'maxsize 10485760',
      'suffix "dc=lab,dc=example"',
      'rootdn "cn=admin,dc=lab,dc=example"',
      `directory ${join(dir, 'db')}`,
      '',
    ].join('\n'),
  );
  const log = openSync(join(dir, 'slapd.log'), 'w');
  // -d 0 keeps slapd in the foreground, so the PID we hold is the daemon's.
  child = spawn(SLAPD, ['-h', `ldap://${ADDR}:389/`, '-f', conf, '-d', '0'], { stdio: ['ignore', log, log] });
  for (let i = 0; i < 100 && !existsSync(pidFile); i++) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}; see ${dir}/slapd.log`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(pidFile)) throw new Error(`slapd did not start within 5 s; see ${dir}/slapd.log`);
  // The pid file can precede the listener: wait (bounded) until 389 accepts.
  const accepts = (): Promise<boolean> =>
    new Promise((resolve) => {
      const s = net.connect({ host: ADDR, port: 389 });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
  for (let i = 0; i < 100 && !(await accepts()); i++) await new Promise((r) => setTimeout(r, 50));
}, 10_000);

afterAll(async () => {
  const c = child;
  if (c && c.exitCode === null && c.signalCode === null) {
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ldapPlugin against slapd', () => {
  it('reads the rootDSE anonymously, operational attributes included', async () => {
    const r = await ldapPlugin.query(ctx());
    expect(r).toMatchObject({ status: 'success', answered: true });
    const dse = r.data!.ldap!.rootDSE;
    expect(dse.namingContexts).toEqual(['dc=lab,dc=example']);
    expect(dse.supportedLDAPVersion).toEqual(['3']);
    expect(dse.structuralObjectClass).toEqual(['OpenLDAProotDSE']); // an operational attribute: '+' worked
    expect(
      ldapPlugin.describe({
        host: ADDR,
        address: ADDR,
        proto: 'tcp',
        port: 389,
        state: 'LISTENING',
        reason: 'syn-ack',
        observedAt: new Date().toISOString(),
        ldap: { rootDSE: dse },
      }),
    ).toContain('namingContexts: dc=lab,dc=example');
  });

  it('reports connection-refused where nothing listens', async () => {
    expect(await ldapPlugin.query(ctx(CLOSED))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
});
