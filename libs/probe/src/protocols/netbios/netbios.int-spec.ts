/**
 * The NetBIOS plugin against samba's nmbd on 127.44.0.1 (added to lo for the test: nmbd binds only
 * interface addresses), and an address where nothing listens on UDP 137.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { daemonsInstalled, tempDir } from '../../testing/lab-daemons.js';
import { loopbackAddress, startUdpDaemon, type UdpDaemon } from '../../testing/udp-daemon.js';
import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { netbiosPlugin } from './index.js';

const NMBD = '/usr/sbin/nmbd';
const ADDRESS = '127.44.0.1';
const CLOSED = '127.44.0.9';

const ctx = (address: string, timeoutMs = 1000): ProtocolContext => ({
  host: address,
  address,
  port: 137,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

const run = daemonsInstalled('netbios against nmbd', [NMBD]);
(run ? describe : describe.skip)('netbiosPlugin against nmbd', () => {
  const tmp = tempDir('nmbd');
  let lo: { remove(): void } | undefined;
  let daemon: UdpDaemon | undefined;

  beforeAll(async () => {
    lo = loopbackAddress(ADDRESS);
    const d = tmp.dir;
    for (const sub of ['lock', 'state', 'cache', 'pid', 'private', 'log', 'ncalrpc']) mkdirSync(join(d, sub));
    writeFileSync(
      join(d, 'smb.conf'),
      [
        '[global]',
        '  netbios name = LAB44NB',
        '  workgroup = LABGRP44',
        `  interfaces = ${ADDRESS}/32`,
        '  bind interfaces only = yes',
        ...['lock', 'state', 'cache', 'pid'].map((k) => `  ${k} directory = ${d}/${k}`),
        `  private dir = ${d}/private`,
        `  ncalrpc dir = ${d}/ncalrpc`,
        `  log file = ${d}/log/%m.log`,
        '  local master = no',
        '  domain master = no',
        '  preferred master = no',
        '',
      ].join('\n'),
    );
    daemon = await startUdpDaemon({
      name: 'nmbd',
      command: NMBD,
      args: ['-F', '--debug-stdout', '--no-process-group', '-d', '1', `--configfile=${d}/smb.conf`],
      ready: async () => (await netbiosPlugin.query(ctx(ADDRESS, 300))).status === 'success',
    });
  }, 20_000);

  afterAll(async () => {
    await daemon?.stop();
    lo?.remove();
    tmp.remove();
  });

  it('lists the names with suffixes and flags, and the MAC', async () => {
    const r = await netbiosPlugin.query(ctx(ADDRESS));
    expect(r).toMatchObject({ status: 'success', answered: true, evidence: 'LAB44NB<00> UNIQUE' });
    const names = r.data?.netbios?.names.map((n) => `${n.name}${n.suffix} ${n.type}`);
    expect(names).toEqual(
      expect.arrayContaining(['LAB44NB<00> unique', 'LAB44NB<20> unique', 'LABGRP44<00> group']),
    );
    expect(r.data?.netbios?.names.every((n) => n.flags.includes('active'))).toBe(true);
    expect(r.data?.netbios?.mac).toMatch(/^([0-9a-f]{2}-){5}[0-9a-f]{2}$/);
  });

  // nmbd also holds 0.0.0.0:137 (broadcasts), so the closed case uses another port.
  it('reports connection-refused where nothing listens', async () => {
    expect(await netbiosPlugin.query({ ...ctx(CLOSED), port: 1137 })).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
});
