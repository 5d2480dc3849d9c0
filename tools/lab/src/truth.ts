// Ground truth: the plan's hosts, with open ports taken from the real listeners (ss -H -lntup).
import fs from 'node:fs';
import path from 'node:path';

import { GUARD_PORT } from './nft.js';
import type { GroundTruth, HostTruth, Plan, Proto } from './types.js';
import { run } from './util.js';

export interface Socket {
  proto: Proto;
  addr: string;
  port: number;
  process: string;
}

const WILDCARDS = new Set(['0.0.0.0', '*', '[::]', '::']);

function parseSs(text: string): Socket[] {
  const out: Socket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || (f[0] !== 'tcp' && f[0] !== 'udp')) continue;
    const local = f[4]!;
    const colon = local.lastIndexOf(':');
    const addr = local.slice(0, colon).replace(/%.*$/, '');
    const port = Number(local.slice(colon + 1));
    const proc = /users:\(\("([^"]+)"/.exec(line)?.[1] ?? '?';
    if (Number.isInteger(port)) out.push({ proto: f[0], addr, port, process: proc });
  }
  return out;
}

export function listSockets(): Socket[] {
  return parseSs(run('/usr/bin/ss', ['-H', '-lntup']));
}

export function missingListeners(plan: Plan, socks: Socket[]): string[] {
  const have = new Set(socks.map((s) => `${s.proto} ${s.addr}:${s.port}`));
  return plan.listeners
    .filter((l) => !have.has(`${l.proto} ${l.addr}:${l.port}`))
    .map((l) => `planned ${l.proto} ${l.addr}:${l.port} (${l.service}) is not listening`);
}

export function buildTruth(plan: Plan, socks: Socket[], extraErrors: string[] = []): GroundTruth {
  const errors = [...extraErrors, ...missingListeners(plan, socks)];
  for (const s of socks) {
    if (!WILDCARDS.has(s.addr) || (s.proto === 'tcp' && s.port === GUARD_PORT)) continue;
    errors.push(
      `wildcard listener ${s.proto} ${s.addr}:${s.port} (${s.process}) answers on every lab address`,
    );
  }
  const hosts = plan.hosts.map((h) => observeHost(h, socks));
  return {
    net: plan.net,
    hostCount: plan.hostCount,
    dnsServer: plan.dnsServer,
    domain: plan.domain,
    hosts,
    errors,
  };
}

function observeHost(planned: HostTruth, socks: Socket[]): HostTruth {
  const h: HostTruth = structuredClone(planned);
  const mine = socks.filter((s) => s.addr === h.address);
  const blocked = (proto: Proto, port: number): boolean =>
    proto === 'tcp' ? port === GUARD_PORT || h.filteredTcp.includes(port) : h.filteredUdp.includes(port);
  const open = (proto: Proto): number[] =>
    [...new Set(mine.filter((s) => s.proto === proto && !blocked(proto, s.port)).map((s) => s.port))].sort(
      (a, b) => a - b,
    );
  h.openTcp = open('tcp');
  h.openUdp = open('udp');
  for (const s of mine) h.services[`${s.proto}/${s.port}`] ??= s.process; // unplanned, e.g. samba's 49152+
  const order = (k: string): number => (k.startsWith('udp') ? 100000 : 0) + Number(k.split('/')[1]);
  h.services = Object.fromEntries(Object.entries(h.services).sort(([a], [b]) => order(a) - order(b)));
  const isOpen = (key: string): boolean => {
    const [proto, port] = key.split('/');
    return (proto === 'tcp' ? h.openTcp : h.openUdp).includes(Number(port));
  };
  for (const rec of [h.services, h.banners, h.http, h.ftp] as Record<string, unknown>[]) {
    for (const key of Object.keys(rec)) if (!isOpen(key)) delete rec[key];
  }
  if (h.snmp && !h.openUdp.includes(161)) h.snmp = null;
  if (h.ldap && !h.openTcp.includes(389)) h.ldap = null;
  return h;
}

export function writeTruth(state: string, truth: GroundTruth): string {
  const file = path.join(state, 'ground-truth.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(truth, null, 1) + '\n');
  fs.renameSync(`${file}.tmp`, file);
  return file;
}
