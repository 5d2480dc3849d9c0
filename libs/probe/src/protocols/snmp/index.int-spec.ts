/**
 * The SNMP plugin against real Net-SNMP agents on 127.41.0.x: a `public` agent, a secret-only agent,
 * a v1-only (VACM) agent and a v2c-only agent, plus an address where nothing listens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pluginDefaults } from '../../testing/lab-ctx.js';
import { type ProtocolContext } from '../plugin.js';
import { snmpPlugin } from './index.js';
import type { SnmpOptions } from './options.js';

const SNMPD = '/usr/sbin/snmpd';
const SECRET = 'lab-Secret-7f3a';

const AGENTS = {
  public: {
    address: '127.41.0.1',
    conf: ['rocommunity public', 'sysDescr fleetqry lab agent (public)', 'sysName lab-public'],
  },
  secret: { address: '127.41.0.4', conf: [`rocommunity ${SECRET}`, 'sysName lab-secret'] },
  v1only: {
    address: '127.41.0.5',
    conf: [
      'com2sec v1sec default v1community',
      'group v1grp v1 v1sec',
      'view all included .1',
      'access v1grp "" v1 noauth exact all none none',
      'sysName lab-v1only',
    ],
  },
  v2conly: {
    address: '127.41.0.6',
    conf: [
      'com2sec v2sec default v2community',
      'group v2grp v2c v2sec',
      'view all included .1',
      'access v2grp "" v2c noauth exact all none none',
      'sysName lab-v2conly',
    ],
  },
} as const;
const CLOSED = '127.41.0.9';

let dir = '';
const children: ChildProcess[] = [];

async function startAgent(name: string, address: string, conf: readonly string[]): Promise<void> {
  const confPath = join(dir, `${name}.conf`);
  const pidPath = join(dir, `${name}.pid`);
  const state = join(dir, `${name}-state`);
  writeFileSync(confPath, `${conf.join('\n')}\n`);
  const log = openSync(join(dir, `${name}.log`), 'w');
  const child = spawn(
    SNMPD,
    [
      '-f',
      '-Lo',
      '-C',
      '-c',
      confPath,
      '-p',
      pidPath,
      '-m',
      '',
      '-I',
      '-smux,mteTrigger,mteTriggerConf',
      `udp:${address}:161`,
    ],
    { stdio: ['ignore', log, log], env: { ...process.env, SNMP_PERSISTENT_DIR: state } },
  );
  children.push(child);
  // snmpd writes its pid file once its ports are open; bounded wait.
  for (let i = 0; i < 100 && !existsSync(pidPath); i++) {
    if (child.exitCode !== null)
      throw new Error(`snmpd (${name}) exited with ${child.exitCode}; see ${dir}/${name}.log`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!existsSync(pidPath))
    throw new Error(`snmpd (${name}) did not start within 5 s; see ${dir}/${name}.log`);
}

function ctx(address: string, communities: string[], timeoutMs = 1000): ProtocolContext<SnmpOptions> {
  return {
    host: address,
    address,
    port: 161,
    proto: 'udp',
    timeoutMs,
    signal: new AbortController().signal,
    options: { ...pluginDefaults('snmp'), communities },
  };
}

/** 20 communities as in the benchmark; the agents' own are among them. */
const SWEEP = [
  'public',
  'private',
  'community',
  'manager',
  'admin',
  'cisco',
  'snmp',
  'monitor',
  'read',
  'write',
  'secret',
  'test',
  'guest',
  'default',
  'v1community',
  'v2community',
  SECRET,
  'router',
  'switch',
  'system',
];

beforeAll(async () => {
  try {
    accessSync(SNMPD, constants.X_OK);
  } catch {
    throw new Error(`${SNMPD} is missing: install Debian's snmpd to run this test`);
  }
  dir = mkdtempSync(join(tmpdir(), 'fleetqry-snmp-'));
  for (const [name, agent] of Object.entries(AGENTS)) await startAgent(name, agent.address, agent.conf);
}, 20_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('snmpPlugin against snmpd', () => {
  it('accepts public on v1 and v2c and reads the system group', async () => {
    const r = await snmpPlugin.query(ctx(AGENTS.public.address, ['public', 'wrong']));
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.data?.snmp).toMatchObject({
      communities: ['public'],
      versions: { public: ['v1', 'v2c'] },
      rejectedCount: 1,
      sysDescr: 'fleetqry lab agent (public)',
      sysName: 'lab-public',
    });
    expect(r.data?.snmp?.sysObjectID).toMatch(/^1\.3\.6\.1\.4\.1\./);
    expect(r.evidence).toBe('sysDescr=fleetqry lab agent (public)');
  });

  it('finds a secret community and never prints it outside snmp.communities', async () => {
    const r = await snmpPlugin.query(ctx(AGENTS.secret.address, SWEEP));
    expect(r.data?.snmp?.communities).toEqual([SECRET]);
    expect(r.data?.snmp?.rejectedCount).toBe(19);
    expect(`${r.detail} ${r.evidence}`).not.toContain(SECRET);
  });

  it('detects a v1-only agent and a v2c-only agent', async () => {
    const v1 = await snmpPlugin.query(ctx(AGENTS.v1only.address, ['v1community']));
    expect(v1.data?.snmp?.versions).toEqual({ v1community: ['v1'] });
    const v2 = await snmpPlugin.query(ctx(AGENTS.v2conly.address, ['v2community']));
    expect(v2.data?.snmp?.versions).toEqual({ v2community: ['v2c'] });
  });

  it('reports rejected, answered: false, when no community is accepted', async () => {
    const r = await snmpPlugin.query(ctx(AGENTS.secret.address, ['public', 'private'], 800));
    expect(r).toMatchObject({
      status: 'rejected',
      answered: false,
      data: { snmp: { communities: [], rejectedCount: 2 } },
    });
  });

  it('reports connection-refused where nothing listens', async () => {
    const r = await snmpPlugin.query(ctx(CLOSED, ['public']));
    expect(r).toMatchObject({ status: 'connection-refused', answered: false });
  });

  it('sweeps 20 communities over four agents in parallel within one timeout', async () => {
    const t0 = performance.now();
    const results = await Promise.all(
      Object.values(AGENTS).map((a) => snmpPlugin.query(ctx(a.address, SWEEP, 1000))),
    );
    const elapsed = performance.now() - t0;
    expect(results.map((r) => r.data?.snmp?.communities)).toEqual([
      ['public'],
      [SECRET],
      ['v1community'],
      ['v2community'],
    ]);
    expect(elapsed).toBeLessThan(1100);
    console.log(`20-community query of 4 agents: ${elapsed.toFixed(0)} ms (timeoutMs 1000)`);
  });
});
