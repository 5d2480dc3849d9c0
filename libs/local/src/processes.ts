import type { ContainerRef, LoadedModule } from '@fleetqry/contracts';

import { parseCgroup } from './cgroup.js';
import { attempt, errorCode, type LocalFs } from './local-fs.js';
import { parseMaps } from './maps.js';

export interface SocketOwners {
  /** socket inode → the PIDs holding it, ascending. */
  owners: Map<number, number[]>;
  /** PIDs whose fd directory could not be listed (not vanished: denied or broken). */
  uninspectable: { pid: number; code: string }[];
}

/**
 * Maps socket inodes to PIDs by reading every /proc/PID/fd/* link (`socket:[inode]`). Only inodes in
 * `wanted` are kept. Processes that exit during the scan are skipped silently.
 */
export function findSocketOwners(fs: LocalFs, procRoot: string, wanted: ReadonlySet<number>): SocketOwners {
  const owners = new Map<number, number[]>();
  const uninspectable: SocketOwners['uninspectable'] = [];
  let entries: string[];
  try {
    entries = fs.readdir(procRoot);
  } catch {
    return { owners, uninspectable };
  }
  const pids = entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => pid > 0)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdir(`${procRoot}/${pid}/fd`);
    } catch (e) {
      const code = errorCode(e);
      if (code !== 'ENOENT' && code !== 'ESRCH') uninspectable.push({ pid, code });
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlink(`${procRoot}/${pid}/fd/${fd}`);
      } catch {
        continue; // closed meanwhile, or not a link
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (!m) continue;
      const inode = Number(m[1]);
      if (!wanted.has(inode)) continue;
      const list = owners.get(inode);
      if (!list) owners.set(inode, [pid]);
      else if (!list.includes(pid)) list.push(pid);
    }
  }
  return { owners, uninspectable };
}

export interface ProcessInfo {
  pid: number;
  name: string | null;
  uid?: number;
  cmdline?: string;
  unit?: string;
  container?: ContainerRef;
  cgroup?: string;
  modules?: LoadedModule[];
  /** What could not be read, in PortQry's words where it has them. */
  notes: string[];
}

function statusField(status: string, field: string): string | undefined {
  const m = new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(status);
  return m?.[1]?.trim();
}

/**
 * Everything known about one process. Every file is optional: what cannot be read becomes a note,
 * nothing throws (the process may have exited, or belong to another user).
 */
export function readProcess(fs: LocalFs, procRoot: string, pid: number, verbose: boolean): ProcessInfo {
  const dir = `${procRoot}/${pid}`;
  const info: ProcessInfo = { pid, name: null, notes: [] };
  const status = attempt(() => fs.readFile(`${dir}/status`));
  const comm = attempt(() => fs.readFile(`${dir}/comm`).trim());
  if (comm.ok && comm.value) info.name = comm.value;
  else if (status.ok) info.name = statusField(status.value, 'Name') || null;
  if (!info.name) info.notes.push(`Could not access process name (${comm.ok ? 'empty' : comm.code})`);
  if (status.ok) {
    const uid = /^(\d+)/.exec(statusField(status.value, 'Uid') ?? '')?.[1];
    if (uid !== undefined) info.uid = Number(uid);
  }
  const cmdline = attempt(() => fs.readFile(`${dir}/cmdline`));
  if (cmdline.ok) {
    const text = cmdline.value.split('\0').filter(Boolean).join(' ').trim();
    if (text) info.cmdline = text;
  } else info.notes.push(`Could not access command line (${cmdline.code})`);
  const cgroup = attempt(() => fs.readFile(`${dir}/cgroup`));
  if (cgroup.ok) Object.assign(info, parseCgroup(cgroup.value));
  else info.notes.push(`Could not access service information (${cgroup.code})`);
  if (verbose) {
    const maps = attempt(() => fs.readFile(`${dir}/maps`));
    if (maps.ok) info.modules = parseMaps(maps.value);
    else info.notes.push(`Could not access module information (${maps.code})`);
  }
  if (!status.ok && !comm.ok && !cmdline.ok && [status.code, comm.code].every((c) => c === 'ENOENT'))
    info.notes = ['Process exited while it was being read'];
  return info;
}
