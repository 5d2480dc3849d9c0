// Runs one scanner invocation: `/usr/bin/time -v -o F timeout -s INT -k 5 LIMIT cmd…`, stdout to a file.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { assertSafeCommand } from './safety.js';

export interface RunTiming {
  /** wall time measured around the child, seconds */
  wall: number;
  user: number;
  sys: number;
  cpuPct: number;
  maxRssKb: number;
  exit: number | string;
  timedOut: boolean;
  loadavg1: number;
}

const TIME_BIN = '/usr/bin/time';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A short helper command's trimmed output, run in the repository; '' when it fails or is missing. */
export function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

export function parseTimeV(text: string): Omit<RunTiming, 'wall' | 'timedOut' | 'loadavg1'> {
  const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
  const sig = /Command terminated by signal (\d+)/.exec(text);
  return {
    user: num(/User time \(seconds\): ([\d.]+)/),
    sys: num(/System time \(seconds\): ([\d.]+)/),
    cpuPct: num(/Percent of CPU this job got: (\d+)%/),
    maxRssKb: num(/Maximum resident set size \(kbytes\): (\d+)/),
    exit: sig ? `signal ${sig[1]}` : num(/Exit status: (\d+)/),
  };
}

export function loadavg1(): number {
  return Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export async function timedRun(
  cmd: string[],
  opts: {
    stdout: string;
    stderr: string;
    timeFile: string;
    limitSec: number;
    cwd?: string;
    env?: Record<string, string>;
  },
): Promise<RunTiming> {
  assertSafeCommand(cmd);
  const argv = ['-v', '-o', opts.timeFile, 'timeout', '-s', 'INT', '-k', '5', String(opts.limitSec), ...cmd];
  const out = fs.openSync(opts.stdout, 'w');
  const err = fs.openSync(opts.stderr, 'w');
  const la = loadavg1();
  const t0 = process.hrtime.bigint();
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(TIME_BIN, argv, {
        stdio: ['ignore', out, err],
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env },
      });
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? -1));
    });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const t = parseTimeV(fs.existsSync(opts.timeFile) ? fs.readFileSync(opts.timeFile, 'utf8') : '');
    // timeout(1) exits 124 when the limit was hit (137 after -k)
    return { ...t, wall, timedOut: code === 124 || code === 137, loadavg1: la };
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
}
