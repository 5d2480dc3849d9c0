import { hostname } from 'node:os';
import { join } from 'node:path';

import type { LocalSnapshot, LocalSocket } from '@fleetqry/contracts';

import { attempt, nodeFs, type LocalFs } from './local-fs.js';
import { parsePasswd } from './passwd.js';
import { findSocketOwners, readProcess, type ProcessInfo } from './processes.js';
import { parseSocketTable, SOCKET_TABLES, type RawSocket } from './proc-net.js';

export interface LocalReadOptions {
  /** Where procfs is mounted (tests point it at a fixture tree). Default `/proc`. */
  procRoot?: string;
  /** The passwd file for uid → name. Default `/etc/passwd`. */
  passwdPath?: string;
  /** Also read loaded modules (/proc/PID/maps). */
  verbose?: boolean;
  /** Host name recorded in the snapshot. Default `os.hostname()`. */
  host?: string;
  fs?: LocalFs;
  now?: () => Date;
}

/** PortQry's order: by PID (unowned last), TCP before UDP, then by local port. */
function compareSockets(a: LocalSocket, b: LocalSocket): number {
  return (
    (a.pid ?? Infinity) - (b.pid ?? Infinity) ||
    (a.proto === b.proto ? 0 : a.proto === 'tcp' ? -1 : 1) ||
    a.localPort - b.localPort ||
    a.remotePort - b.remotePort ||
    a.family.localeCompare(b.family) ||
    a.localAddress.localeCompare(b.localAddress)
  );
}

/**
 * Reads the host's socket tables and maps every socket to its owning process. Never throws for what
 * it cannot read: unreadable tables, malformed rows, processes that cannot be inspected or that exit
 * meanwhile all end up in `problems` (whole snapshot) or a socket's `notes` (one process).
 */
export function readLocalSnapshot(options: LocalReadOptions = {}): LocalSnapshot {
  const fs = options.fs ?? nodeFs;
  const procRoot = options.procRoot ?? '/proc';
  const verbose = options.verbose ?? false;
  const problems: string[] = [];

  const raw: RawSocket[] = [];
  for (const t of SOCKET_TABLES) {
    const path = join(procRoot, t.file);
    const text = attempt(() => fs.readFile(path));
    if (!text.ok) {
      // a kernel without IPv6 has no tcp6/udp6: not worth a problem line
      if (!(t.family === 'ipv6' && text.code === 'ENOENT'))
        problems.push(`Could not read ${path} (${text.code})`);
      continue;
    }
    const table = parseSocketTable(text.value, t.proto, t.family);
    raw.push(...table.sockets);
    if (table.malformed)
      problems.push(`${path}: ${table.malformed} malformed line${table.malformed === 1 ? '' : 's'} skipped`);
  }

  const wanted = new Set(raw.map((s) => s.inode).filter((i) => i > 0));
  const { owners, uninspectable } = findSocketOwners(fs, procRoot, wanted);
  if (uninspectable.length) {
    const codes = [...new Set(uninspectable.map((u) => u.code))].join(', ');
    problems.push(
      `Could not inspect the open sockets of ${uninspectable.length} process${uninspectable.length === 1 ? '' : 'es'} (${codes}); sockets they own show no process`,
    );
  }

  const passwd = attempt(() => parsePasswd(fs.readFile(options.passwdPath ?? '/etc/passwd')));
  if (!passwd.ok) problems.push(`Could not read ${options.passwdPath ?? '/etc/passwd'} (${passwd.code})`);
  const users = passwd.ok ? passwd.value : new Map<number, string>();

  const processes = new Map<number, ProcessInfo>();
  const processOf = (pid: number): ProcessInfo => {
    let info = processes.get(pid);
    if (!info) processes.set(pid, (info = readProcess(fs, procRoot, pid, verbose)));
    return info;
  };

  const sockets = raw.map((s): LocalSocket => {
    const pids = s.inode > 0 ? (owners.get(s.inode) ?? []) : [];
    const pid = pids[0];
    const base = {
      proto: s.proto,
      family: s.family,
      localAddress: s.localAddress,
      localPort: s.localPort,
      remoteAddress: s.remoteAddress,
      remotePort: s.remotePort,
      state: s.state,
      inode: s.inode,
    };
    if (pid === undefined) {
      const user = users.get(s.uid);
      return { ...base, pid: null, process: null, uid: s.uid, ...(user !== undefined ? { user } : {}) };
    }
    const p = processOf(pid);
    const uid = p.uid ?? s.uid;
    const user = users.get(uid);
    return {
      ...base,
      pid,
      process: p.name,
      ...(pids.length > 1 ? { otherPids: pids.slice(1) } : {}),
      uid,
      ...(user !== undefined ? { user } : {}),
      ...(p.cmdline !== undefined ? { cmdline: p.cmdline } : {}),
      ...(p.unit !== undefined ? { unit: p.unit } : {}),
      ...(p.container !== undefined ? { container: p.container } : {}),
      ...(p.cgroup !== undefined ? { cgroup: p.cgroup } : {}),
      ...(p.modules !== undefined ? { modules: p.modules } : {}),
      ...(p.notes.length ? { notes: [...p.notes] } : {}),
    };
  });

  return {
    host: options.host ?? hostname(),
    takenAt: (options.now?.() ?? new Date()).toISOString(),
    sockets: sockets.sort(compareSockets),
    problems,
  };
}
