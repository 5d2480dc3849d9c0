// lab check: every host of the ground truth, verified live with standard clients.
import fs from 'node:fs';
import path from 'node:path';

import { client, dig, firstLine, httpServer, snmpGet, tcpConnect } from './clients.js';
import { assertLoopback, type LabConfig } from './config.js';
import { GUARD_PORT } from './nft.js';
import { egressCount, nftPresent } from './netsetup.js';
import type { GroundTruth, HostTruth } from './types.js';

type Verdict = [ok: boolean, what: string];
const SYSNAME = '1.3.6.1.2.1.1.5.0';
const SYSDESCR = '1.3.6.1.2.1.1.1.0';

const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/s, '$1');

async function checkTcp(h: HostTruth): Promise<Verdict[]> {
  const v: Verdict[] = [];
  for (const p of h.openTcp) v.push([(await tcpConnect(h.address, p)).rc === 0, `tcp/${p} open`]);
  const filtered = await Promise.all(h.filteredTcp.map((p) => tcpConnect(h.address, p, 1)));
  h.filteredTcp.forEach((p, k) => {
    const r = filtered[k]!;
    v.push([r.rc !== 0 && /timed out/.test(r.out), `tcp/${p} filtered (no answer, ${r.ms} ms)`]);
  });
  const closed = await tcpConnect(h.address, 1, 2);
  v.push([closed.rc !== 0 && /refused/.test(closed.out), 'tcp/1 closed (connection refused)']);
  return v;
}

/** UDP closed vs filtered, seen by dig's connected socket: "connection refused" vs timeout. */
async function checkUdpState(h: HostTruth): Promise<Verdict[]> {
  const v: Verdict[] = [];
  for (const port of [53, 161]) {
    if (h.openUdp.includes(port)) continue;
    const r = await dig(h.address, ['-p', String(port), 'probe.invalid']);
    const refused = /refused/i.test(r.out);
    if (h.filteredUdp.includes(port))
      v.push([!refused && /timed out|no servers/i.test(r.out), `udp/${port} filtered`]);
    else v.push([refused, `udp/${port} closed (ICMP unreachable)`]);
  }
  return v;
}

async function checkBanners(h: HostTruth): Promise<Verdict[]> {
  const v: Verdict[] = [];
  for (const [key, want] of Object.entries(h.banners)) {
    const [proto, portS] = key.split('/');
    const port = Number(portS);
    let got = '';
    for (let attempt = 0; attempt < 3 && got !== want; attempt++) {
      if (port === 53)
        got = unquote((await dig(h.address, ['+short', 'CH', 'TXT', 'version.bind'], proto === 'tcp')).out);
      else got = await firstLine(h.address, port);
      if (got !== want) await new Promise((r) => setTimeout(r, 500)); // dovecot: auth process still starting
    }
    v.push([got === want, `${key} banner '${got}'${got === want ? '' : ` (want '${want}')`}`]);
  }
  for (const [key, want] of Object.entries(h.http)) {
    const got = await httpServer(h.address, Number(key.split('/')[1]), want.tls);
    v.push([
      got === want.server,
      `${key} Server '${got}'${got === want.server ? '' : ` (want '${want.server}')`}`,
    ]);
  }
  for (const [key, want] of Object.entries(h.ftp)) {
    const r = await client(
      'curl',
      [
        '-s',
        '-m',
        '5',
        '--noproxy',
        '*',
        '--user',
        'anonymous:lab@fleetqry.test',
        `ftp://${assertLoopback(h.address)}:${key.split('/')[1]}/`,
      ],
      7000,
    );
    v.push([
      (r.rc === 0) === want.anonymous,
      `${key} anonymous login ${r.rc === 0 ? 'accepted' : `refused (curl rc ${r.rc})`}`,
    ]);
  }
  return v;
}

async function checkSnmp(h: HostTruth): Promise<Verdict[]> {
  const s = h.snmp;
  if (!s) return [];
  const v: Verdict[] = [];
  for (const [comm] of Object.entries(s.communities)) {
    for (const ver of s.versions) {
      const r = await snmpGet(h.address, [`-v${ver === 'v1' ? '1' : '2c'}`, '-c', comm], SYSNAME);
      v.push([
        r.rc === 0 && unquote(r.out) === s.sysName,
        `snmp ${ver} '${comm}' sysName '${unquote(r.out)}'`,
      ]);
    }
  }
  for (const u of s.v3Users) {
    const auth = [
      '-v3',
      '-l',
      u.level,
      '-u',
      u.user,
      ...(u.authProtocol ? ['-a', u.authProtocol, '-A', u.authPassword!] : []),
      ...(u.privProtocol ? ['-x', u.privProtocol, '-X', u.privPassword!] : []),
    ];
    const r = await snmpGet(h.address, auth, SYSDESCR);
    v.push([r.rc === 0 && unquote(r.out) === s.sysDescr, `snmp v3 ${u.user} sysDescr '${unquote(r.out)}'`]);
    if (u.level !== 'noAuthNoPriv') {
      // The name alone: values only where the access rule says noauth (else authorizationError).
      const bare = await snmpGet(h.address, ['-v3', '-l', 'noAuthNoPriv', '-u', u.user], SYSDESCR);
      v.push([
        (bare.rc === 0 && unquote(bare.out) === s.sysDescr) === u.noAuthAllowed,
        `snmp v3 ${u.user} without keys ${u.noAuthAllowed ? 'answered' : 'refused'}`,
      ]);
    }
  }
  if (s.versions.includes('v1') && !s.versions.includes('v2c') && s.answersPublic) {
    const r = await snmpGet(h.address, ['-v2c', '-c', 'public'], SYSNAME);
    v.push([r.rc !== 0, 'snmp v2c public dropped on a v1-only agent']);
  }
  if (!s.answersPublic) {
    const r = await snmpGet(h.address, ['-v2c', '-c', 'public'], SYSNAME);
    v.push([r.rc !== 0, "snmp 'public' not answered"]);
  }
  return v;
}

async function checkServices(h: HostTruth, gt: GroundTruth, idx: number): Promise<Verdict[]> {
  const v: Verdict[] = [];
  if (h.ldap) {
    const r = await client(
      'ldapsearch',
      [
        '-x',
        '-LLL',
        '-o',
        'nettimeout=3',
        '-H',
        `ldap://${assertLoopback(h.address)}`,
        '-s',
        'base',
        '-b',
        '',
        'namingContexts',
      ],
      6000,
    );
    v.push([
      r.out.includes(`namingContexts: ${h.ldap.baseDN}`),
      `ldap anonymous rootDSE namingContexts ${h.ldap.baseDN}`,
    ]);
  }
  if (h.openUdp.includes(53)) {
    const other = gt.hosts[(idx + 4) % gt.hosts.length]!;
    const a = await dig(h.address, ['+short', other.name]);
    const ptr = await dig(h.address, ['+short', '-x', other.address]);
    v.push([a.out.trim() === other.address, `dns A ${other.name} -> '${a.out.trim()}'`]);
    v.push([ptr.out.trim() === `${other.name}.`, `dns PTR ${other.address} -> '${ptr.out.trim()}'`]);
  }
  // every host resolves, forward and reverse, through THE lab DNS server
  const a = await dig(gt.dnsServer, ['+short', h.name]);
  const ptr = await dig(gt.dnsServer, ['+short', '-x', h.address]);
  v.push([a.out.trim() === h.address && ptr.out.trim() === `${h.name}.`, `resolves via ${gt.dnsServer}`]);
  const svc = h.services;
  if (svc['tcp/6379']) {
    const r = await client('redis-cli', ['-h', assertLoopback(h.address), '-p', '6379', 'PING'], 5000);
    v.push([r.out.trim() === 'PONG', `redis PING -> '${r.out.trim()}'`]);
  }
  if (svc['tcp/23']) {
    const r = await client('nc', ['-n', '-w', '3', assertLoopback(h.address), '23'], 5000, (b) =>
      b.includes('login: '),
    );
    v.push([r.raw[0] === 0xff && r.out.includes('login: '), 'telnet negotiation + login prompt']);
  }
  if (svc['tcp/135']) {
    const r = await client(
      'rpcclient',
      ['-U%', '-N', `ncacn_ip_tcp:${assertLoopback(h.address)}[135]`, '-c', 'epmlookup'],
      15000,
    );
    v.push([/ncacn_ip_tcp/.test(r.out), 'msrpc endpoint mapper lists endpoints (rpcclient epmlookup)']);
  }
  return v;
}

async function pool<T, R>(items: T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function check(cfg: LabConfig): Promise<number> {
  const file = path.join(cfg.state, 'ground-truth.json');
  if (!fs.existsSync(file)) {
    console.log(`no ground truth at ${file}: run 'lab.sh up' first`);
    return 2;
  }
  const gt = JSON.parse(fs.readFileSync(file, 'utf8')) as GroundTruth;
  const verbose = Boolean(process.env.VERBOSE);
  const results = await pool(gt.hosts, 12, async (h, i) => {
    const parts = await Promise.all([
      checkTcp(h),
      checkUdpState(h),
      checkBanners(h),
      checkSnmp(h),
      checkServices(h, gt, i),
    ]);
    return parts.flat().map(([ok, what]): Verdict => [ok, `${h.address} ${what}`]);
  });
  const all = results.flat();
  // the guard: this machine's own wildcard TCP 2024 must be reset by the lab table, never reached
  if (nftPresent(cfg)) {
    const r = await tcpConnect(gt.dnsServer, GUARD_PORT, 2);
    all.push([
      r.rc !== 0 && /refused/.test(r.out),
      `${gt.dnsServer} tcp/${GUARD_PORT} reset by the lab table`,
    ]);
  } else
    all.push([false, `nft table inet ${cfg.table} with the tcp/${GUARD_PORT} guard is missing (not probed)`]);
  const egress = egressCount(cfg);
  all.push([
    egress === 0,
    `egress audit: ${egress ?? '?'} packet(s) from loopback sources to non-loopback destinations`,
  ]);
  all.push([
    gt.errors.length === 0,
    `ground truth errors: ${gt.errors.length ? gt.errors.join('; ') : 'none'}`,
  ]);
  let pass = 0;
  for (const [ok, what] of all) {
    if (ok) pass++;
    if (!ok || verbose) console.log(`${ok ? 'PASS' : 'FAIL'} ${what}`);
  }
  console.log(`${pass} passed, ${all.length - pass} failed`);
  return pass === all.length ? 0 : 1;
}
