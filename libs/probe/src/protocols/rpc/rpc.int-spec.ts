/**
 * The RPC plugin against samba's real endpoint mapper (samba-dcerpcd --libexec-rpcds, as the fleet lab
 * runs it) on 127.43.0.10, compared with samba's own client (`rpcclient -c epmlookup`). When the fleet
 * lab is up, its endpoint mapper on 127.30.0.10 is checked the same way (read-only).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import {
  daemonsInstalled,
  preconditionMet,
  run,
  startDaemon,
  tempDir,
  type RunningDaemon,
} from '../../testing/lab-daemons.js';
import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { rpcPlugin } from './index.js';

const DCERPCD = '/usr/libexec/samba/samba-dcerpcd';
const RPCCLIENT = '/usr/bin/rpcclient';
const ADDR = '127.43.0.10';
const LAB = '127.30.0.10';
const enabled = daemonsInstalled('rpc endpoint mapper', [DCERPCD, RPCCLIENT]);

let daemon: RunningDaemon | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;
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

/**
 * `rpcclient … -c epmlookup` lines → comparable keys `uuid version protocol endpoint annotation`.
 * rpcclient (samba 4.17) misses the map's last entry: samba sends it together with
 * ept_s_not_registered, and rpcclient stops on that status without printing the entry. So the
 * plugin's list must equal rpcclient's plus exactly the server's last entry.
 */
async function rpcclientKeys(address: string): Promise<string[]> {
  const out = await run(RPCCLIENT, ['-U%', '-N', `ncacn_ip_tcp:${address}[135]`, '-c', 'epmlookup'], 20_000);
  const re = /^\S+ (\w+):([^[]*)\[(.*),abstract_syntax=([0-9a-f-]+)\/0x([0-9a-f]+)\]: ?(.*)$/;
  return out
    .split('\n')
    .map((l) => re.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(
      ([, proto, , endpoint, uuid, ver, annotation]) =>
        `${uuid} ${parseInt(ver!, 16)} ${proto} ${endpoint} ${annotation}`,
    )
    .sort();
}

async function pluginKeys(address: string) {
  const r = await rpcPlugin.query({
    host: address,
    address,
    port: 135,
    proto: 'tcp',
    timeoutMs: 5000,
    signal: new AbortController().signal,
    options: DEFAULT_COMMON_OPTIONS,
  });
  const inOrder = (r.data?.rpc?.endpoints ?? []).map((e) => {
    const endpoint = e.protocol === 'ncacn_ip_tcp' || e.protocol === 'ncacn_http' ? String(e.port) : e.pipe;
    // rpcclient prints the interface's major version only
    return `${e.uuid} ${e.version.split('.')[0]} ${e.protocol} ${endpoint} ${e.annotation}`;
  });
  return { r, keys: [...inOrder].sort(), withoutLast: inOrder.slice(0, -1).sort() };
}

(enabled ? describe : describe.skip)('rpc plugin against samba-dcerpcd', () => {
  beforeAll(async () => {
    if (!hasAddress(ADDR)) {
      execFileSync('ip', ['addr', 'add', `${ADDR}/32`, 'dev', 'lo']); // samba binds only interface addresses
      addedAddress = true;
    }
    tmp = tempDir('rpc');
    for (const sub of ['private', 'lock', 'state', 'cache', 'ncalrpc', 'pid', 'log'])
      mkdirSync(path.join(tmp.dir, sub));
    const conf = path.join(tmp.dir, 'smb.conf');
    writeFileSync(
      conf,
      [
        '[global]',
        '  workgroup = FQTEST',
        '  netbios name = FQRPC43',
        '  server role = standalone server',
        `  interfaces = ${ADDR}/32`,
        '  bind interfaces only = yes',
        '  rpc start on demand helpers = no',
        '  rpc server dynamic port range = 49400-49420',
        ...['private', 'lock', 'state', 'cache', 'pid', 'ncalrpc'].map(
          (d) =>
            `  ${d === 'lock' ? 'lock directory' : d === 'ncalrpc' ? 'ncalrpc dir' : `${d} dir${d === 'private' ? '' : 'ectory'}`} = ${path.join(tmp!.dir, d)}`,
        ),
        `  log file = ${path.join(tmp.dir, 'log', 'samba-%m.log')}`,
        '  disable netbios = yes',
        '  load printers = no',
        '  printcap name = /dev/null',
        '  disable spoolss = yes',
        '',
      ].join('\n'),
    );
    daemon = await startDaemon({
      name: 'samba-dcerpcd',
      command: DCERPCD,
      args: ['-F', '--no-process-group', '-s', conf, '--libexec-rpcds'],
      address: ADDR,
      port: 135,
      readyTimeoutMs: 15_000,
    });
    // The helpers (rpcd_lsad, rpcd_winreg, …) register their endpoints after 135 opens: wait (bounded)
    // until the map stops growing.
    let last = -1;
    for (let i = 0; i < 40; i++) {
      const n = (await pluginKeys(ADDR)).keys.length;
      if (n > 0 && n === last) break;
      last = n;
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
    tmp?.remove();
    if (addedAddress) execFileSync('ip', ['addr', 'del', `${ADDR}/32`, 'dev', 'lo']);
  });

  it('lists the same endpoints as rpcclient epmlookup, and PortQry lines', async () => {
    const { r, keys, withoutLast } = await pluginKeys(ADDR);
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.data!.rpc!.complete).toBe(true);
    expect(keys.length).toBeGreaterThan(10);
    expect(withoutLast).toEqual(await rpcclientKeys(ADDR));
    expect(r.data!.rpc!.endpoints).toContainEqual(
      expect.objectContaining({
        uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa',
        protocol: 'ncacn_ip_tcp',
        binding: `ncacn_ip_tcp:${ADDR}[135]`,
        port: 135,
      }),
    );
    const lines = rpcPlugin.describe({
      host: ADDR,
      address: ADDR,
      proto: 'tcp',
      port: 135,
      state: 'LISTENING',
      reason: 'syn-ack',
      observedAt: new Date().toISOString(),
      protocol: { name: 'rpc', status: 'success', durationMs: 1 },
      ...r.data,
    });
    expect(lines).toContain(`ncacn_ip_tcp:${ADDR}[135]`);
    expect(lines).toContain(`Total endpoints found: ${keys.length}`);
  });

  it('walks the same map one entry per call (context handle round trips)', async () => {
    const { walkEndpointMapper, DEFAULT_WALK } = await import('./client.js');
    const w = await walkEndpointMapper({
      ...DEFAULT_WALK,
      address: ADDR,
      port: 135,
      timeoutMs: 10_000,
      entriesPerCall: 1,
    });
    expect(w).toMatchObject({ status: 'success', complete: true });
    expect(w.calls).toBeGreaterThanOrEqual(w.endpoints.length);
    expect(w.endpoints.map((e) => e.binding).sort()).toEqual(
      (await pluginKeys(ADDR)).r.data!.rpc!.endpoints.map((e) => e.binding).sort(),
    );
  });

  it("the fleet lab's endpoint mapper (127.30.0.10), when the lab is up", async () => {
    const up = await accepts(LAB, 135);
    if (!preconditionMet('rpc: the fleet lab', up ? undefined : `${LAB}:135 does not accept (lab down)`))
      return;
    const { r, withoutLast } = await pluginKeys(LAB);
    expect(r.status).toBe('success');
    expect(withoutLast).toEqual(await rpcclientKeys(LAB));
  });
});
