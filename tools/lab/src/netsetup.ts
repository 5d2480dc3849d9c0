// Host-side setup the daemons need: the lab's nft table and the lo addresses samba binds to.
import fs from 'node:fs';
import path from 'node:path';

import type { LabConfig } from './config.js';
import type { Plan } from './types.js';
import { run } from './util.js';

const TABLE_FILE = 'nft-table';
const LO_FILE = 'lo-added';

function readList(cfg: LabConfig, f: string): string[] {
  const p = path.join(cfg.run, f);
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8').split('\n').filter(Boolean) : [];
}

function loHas(addr: string): boolean {
  return run('/usr/sbin/ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']).includes(` ${addr}/32 `);
}

export function netUp(cfg: LabConfig, plan: Plan): void {
  for (const old of readList(cfg, TABLE_FILE)) {
    if (old !== cfg.table) run('/usr/sbin/nft', ['delete', 'table', 'inet', old], { allowFail: true });
  }
  run('/usr/sbin/nft', ['-f', path.join(cfg.conf, 'lab.nft')]);
  fs.writeFileSync(path.join(cfg.run, TABLE_FILE), `${cfg.table}\n`);
  const added = readList(cfg, LO_FILE);
  for (const a of added.filter((x) => !plan.loAddrs.includes(x))) loDel(a);
  const keep = added.filter((x) => plan.loAddrs.includes(x));
  for (const a of plan.loAddrs) {
    if (loHas(a)) continue;
    run('/usr/sbin/ip', ['addr', 'add', `${a}/32`, 'dev', 'lo']);
    keep.push(a);
  }
  fs.writeFileSync(path.join(cfg.run, LO_FILE), [...new Set(keep)].map((a) => `${a}\n`).join(''));
}

function loDel(a: string): void {
  run('/usr/sbin/ip', ['addr', 'del', `${a}/32`, 'dev', 'lo'], { allowFail: true });
}

export function netDown(cfg: LabConfig): string[] {
  const done: string[] = [];
  for (const t of new Set([...readList(cfg, TABLE_FILE), cfg.table])) {
    const out = run('/usr/sbin/nft', ['delete', 'table', 'inet', t], { allowFail: true });
    if (!out.trim()) done.push(`nft table inet ${t} removed`);
  }
  for (const a of readList(cfg, LO_FILE)) {
    loDel(a);
    done.push(`lo address ${a}/32 removed`);
  }
  fs.rmSync(path.join(cfg.run, TABLE_FILE), { force: true });
  fs.rmSync(path.join(cfg.run, LO_FILE), { force: true });
  return done;
}

export function nftPresent(cfg: LabConfig): boolean {
  return run('/usr/sbin/nft', ['list', 'table', 'inet', cfg.table], { allowFail: true }).includes(
    `dport 2024`,
  );
}

export function egressCount(cfg: LabConfig): number | null {
  const out = run('/usr/sbin/nft', ['list', 'counter', 'inet', cfg.table, 'egress_audit'], {
    allowFail: true,
  });
  const m = /packets (\d+)/.exec(out);
  return m ? Number(m[1]) : null;
}
