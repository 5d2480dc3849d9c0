/** The DNS plugin against a real dnsmasq on 127.41.0.3, over UDP and TCP. */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pluginDefaults } from '../../testing/lab-ctx.js';
import { type ProtocolContext } from '../plugin.js';
import { dnsPlugin } from './index.js';
import type { DnsOptions } from './options.js';

const DNSMASQ = '/usr/sbin/dnsmasq';
const ADDR = '127.41.0.3';
const CLOSED = '127.41.0.9';
let dir = '';
let child: ChildProcess | undefined;

function ctx(proto: 'udp' | 'tcp', queryName?: string, address = ADDR): ProtocolContext<DnsOptions> {
  return {
    host: address,
    address,
    port: 53,
    proto,
    timeoutMs: 1000,
    signal: new AbortController().signal,
    options: { ...pluginDefaults('dns'), ...(queryName ? { queryName } : {}) },
  };
}

beforeAll(async () => {
  try {
    accessSync(DNSMASQ, constants.X_OK);
  } catch {
    throw new Error(`${DNSMASQ} is missing: install Debian's dnsmasq to run this test`);
  }
  dir = mkdtempSync(join(tmpdir(), 'fleetqry-dns-'));
  const pidFile = join(dir, 'dnsmasq.pid');
  const log = openSync(join(dir, 'dnsmasq.log'), 'w');
  // --local=/test/ makes unknown *.test names NXDOMAIN instead of REFUSED (there is no upstream).
  child = spawn(
    DNSMASQ,
    [
      '--keep-in-foreground',
      '--no-resolv',
      '--no-hosts',
      `--listen-address=${ADDR}`,
      '--bind-interfaces',
      '--port',
      '53',
      '--host-record=h1.test,127.41.0.50',
      '--local=/test/',
      `--pid-file=${pidFile}`,
      '-C',
      '/dev/null',
    ],
    { stdio: ['ignore', log, log] },
  );
  for (let i = 0; i < 100 && !existsSync(pidFile); i++) {
    if (child.exitCode !== null)
      throw new Error(`dnsmasq exited with ${child.exitCode}; see ${dir}/dnsmasq.log`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(pidFile)) throw new Error(`dnsmasq did not start within 5 s; see ${dir}/dnsmasq.log`);
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

describe.each(['udp', 'tcp'] as const)('dnsPlugin against dnsmasq over %s', (proto) => {
  it('resolves a host record', async () => {
    const r = await dnsPlugin.query(ctx(proto, 'h1.test'));
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.data?.dns).toMatchObject({
      transport: proto,
      rcode: 'NOERROR',
      answers: [{ name: 'h1.test', type: 'A', data: '127.41.0.50' }],
    });
  });
  it('counts NXDOMAIN as an answer', async () => {
    const r = await dnsPlugin.query(ctx(proto, 'nx.test'));
    expect(r).toMatchObject({ status: 'success', answered: true, data: { dns: { rcode: 'NXDOMAIN' } } });
  });
  it('counts REFUSED for the default root NS query as an answer', async () => {
    const r = await dnsPlugin.query(ctx(proto));
    expect(r).toMatchObject({
      status: 'success',
      answered: true,
      data: { dns: { rcode: 'REFUSED', question: { name: '.', type: 'NS' } } },
    });
  });
  it('reports connection-refused where nothing listens', async () => {
    const r = await dnsPlugin.query(ctx(proto, undefined, CLOSED));
    expect(r).toMatchObject({ status: 'connection-refused', answered: false });
  });
});
