// Starts the plan's daemons and stops them again, only ever by the PIDs recorded in $LAB_STATE/run.
// A PID is signalled only while /proc/PID/comm and its start time still match the record.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import type { LabConfig } from './config.js';
import type { Launch } from './types.js';
import { sleep } from './util.js';

interface PidRecord {
  name: string;
  pid: number;
  comm: string;
  start: string;
  hash: string;
}

const LAUNCHER_COMMS = ['unshare', 'sh']; // what a jailed launch looks like before it execs the daemon

function procStat(pid: number): { comm: string; start: string; ppid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return null; // exited, waiting to be reaped
    const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return { comm, ppid: Number(rest[1]), start: rest[19] ?? '' };
  } catch {
    return null;
  }
}

/** Identity of a launch: its command, env, and the content of every lab file it names (configs). */
function launchHash(l: Launch, confDir: string): string {
  const h = createHash('sha1').update(JSON.stringify([l.cmd, l.env ?? {}]));
  for (const arg of l.cmd) {
    const file = arg.slice(arg.indexOf('=') + 1);
    if (file.startsWith(`${confDir}/`) && fs.statSync(file, { throwIfNoEntry: false })?.isFile())
      h.update(fs.readFileSync(file));
  }
  return h.digest('hex').slice(0, 16);
}

function pidFile(cfg: LabConfig, name: string): string {
  return path.join(cfg.run, `${name}.pid`);
}

export function readRecords(cfg: LabConfig): PidRecord[] {
  if (!fs.existsSync(cfg.run)) return [];
  return fs
    .readdirSync(cfg.run)
    .filter((f) => f.endsWith('.pid') && !f.endsWith('.daemon.pid'))
    .flatMap((f) => {
      try {
        return [JSON.parse(fs.readFileSync(path.join(cfg.run, f), 'utf8')) as PidRecord];
      } catch {
        return [];
      }
    });
}

/** 'running' when the recorded process is our daemon, 'starting' while still in the jail launcher. */
export function liveness(r: PidRecord): 'running' | 'starting' | 'gone' {
  const st = procStat(r.pid);
  if (!st || st.start !== r.start) return 'gone';
  if (st.comm === r.comm.slice(0, 15)) return 'running';
  return LAUNCHER_COMMS.includes(st.comm) ? 'starting' : 'gone';
}

/** Descendants of the given PIDs (one walk over /proc). */
function descendants(pids: number[]): { pid: number; start: string }[] {
  const kids = new Map<number, { pid: number; start: string }[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(Number(d));
    if (st) kids.set(st.ppid, [...(kids.get(st.ppid) ?? []), { pid: Number(d), start: st.start }]);
  }
  const out: { pid: number; start: string }[] = [];
  const todo = [...pids];
  while (todo.length) {
    for (const c of kids.get(todo.pop()!) ?? []) {
      out.push(c);
      todo.push(c.pid);
    }
  }
  return out;
}

function signal(pid: number, start: string, sig: NodeJS.Signals): void {
  const st = procStat(pid);
  if (!st || st.start !== start) return; // exited, or the PID now belongs to somebody else
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Stops recorded processes (all of them, or those whose name `which` selects). */
export async function stopRecorded(
  cfg: LabConfig,
  which: (r: PidRecord) => boolean = () => true,
): Promise<number> {
  const recs = readRecords(cfg).filter(which);
  const live = recs.filter((r) => liveness(r) !== 'gone');
  const kids = descendants(live.map((r) => r.pid));
  for (const r of live) signal(r.pid, r.start, 'SIGTERM');
  for (let t = 0; t < 50 && live.some((r) => liveness(r) !== 'gone'); t++) await sleep(100);
  const stubborn = live.filter((r) => liveness(r) !== 'gone');
  if (stubborn.length) console.log(`  SIGKILL after 5 s: ${stubborn.map((r) => r.name).join(' ')}`);
  for (const r of stubborn) signal(r.pid, r.start, 'SIGKILL');
  await sleep(100);
  // children of our daemons (nginx workers, sshd sessions, socat forks, rpcd_*) that outlived their parent
  for (const k of kids) signal(k.pid, k.start, 'SIGKILL');
  for (const r of recs) fs.rmSync(pidFile(cfg, r.name), { force: true });
  return live.length;
}

function start(cfg: LabConfig, l: Launch): PidRecord {
  const logPath = path.join(cfg.log, `${l.name}.out`);
  const fd = fs.openSync(logPath, 'a');
  const child = spawn(l.cmd[0]!, l.cmd.slice(1), {
    cwd: cfg.state,
    env: { ...process.env, ...(l.env ?? {}) },
    detached: true,
    stdio: [l.stdinIsLog ? fd : 'ignore', fd, fd],
  });
  fs.closeSync(fd);
  child.unref();
  const st = procStat(child.pid!);
  const rec: PidRecord = {
    name: l.name,
    pid: child.pid!,
    comm: l.comm,
    start: st?.start ?? '',
    hash: launchHash(l, cfg.conf),
  };
  fs.writeFileSync(pidFile(cfg, l.name), JSON.stringify(rec) + '\n');
  return rec;
}

/** Starts whatever is not already running with the same command; stops stale processes first. */
export async function startAll(cfg: LabConfig, launches: Launch[]): Promise<string[]> {
  const wanted = new Map(launches.map((l) => [l.name, launchHash(l, cfg.conf)]));
  const stale = await stopRecorded(cfg, (r) => wanted.get(r.name) !== r.hash || liveness(r) === 'gone');
  if (stale) console.log(`  stopped ${stale} stale process(es)`);
  const running = new Set(
    readRecords(cfg)
      .filter((r) => liveness(r) !== 'gone')
      .map((r) => r.name),
  );
  const started: PidRecord[] = [];
  for (const l of launches) if (!running.has(l.name)) started.push(start(cfg, l));
  console.log(`  processes: ${running.size} kept, ${started.length} started`);
  for (let t = 0; t < 50 && started.some((r) => liveness(r) === 'starting'); t++) await sleep(100);
  await sleep(300); // let daemons that fail on their config exit
  const failed: string[] = [];
  for (const r of started) {
    if (liveness(r) === 'running') continue;
    const tail = fs
      .readFileSync(path.join(cfg.log, `${r.name}.out`), 'utf8')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    failed.push(`process ${r.name} is not running (${tail || 'no output'})`);
  }
  return failed;
}
