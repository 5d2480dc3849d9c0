import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Runs the built CLI as a user would (`fleetqry …` from the repo root); tests need `npm run build` first. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const REPO_ROOT = process.cwd();

/**
 * The environment of each TCP engine a CLI run can use: the SYN engine (root), connect() in the native
 * addon's batches, and connect() one socket at a time (no addon).
 */
export const TCP_ENGINE_ENV = {
  syn: { FLEETQRY_TCP_ENGINE: 'auto' },
  connect: { FLEETQRY_TCP_ENGINE: 'connect' },
  'per-socket connect': { FLEETQRY_TCP_ENGINE: 'connect', FLEETQRY_NATIVE: '0' },
} as const;
const BIN = resolve(REPO_ROOT, 'apps/cli/bin/fleetqry.js');

export function runCli(
  args: string[],
  /** closeStdoutAfterFirstLine: read one line, then close the pipe, as `| head -1` does. */
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; closeStdoutAfterFirstLine?: boolean } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.closeStdoutAfterFirstLine && stdout.includes('\n')) child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** The fleet lab's ground truth (tools/lab); the suite runner brings the lab up before integration tests. */
export interface HostTruth {
  address: string;
  name: string;
  tags: string[];
  openTcp: number[];
  openUdp: number[];
  filteredTcp: number[];
  filteredUdp: number[];
  snmp: {
    versions: string[];
    communities: Record<string, 'ro' | 'rw'>;
    sysName: string;
    /** Net-SNMP's spellings (SHA, SHA-256, MD5, AES, DES); `noAuthAllowed`: `rouser … noauth` (older truth files lack it). */
    v3Users: {
      user: string;
      level: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
      authProtocol?: string;
      authPassword?: string;
      privProtocol?: string;
      privPassword?: string;
      noAuthAllowed?: boolean;
    }[];
  } | null;
  banners: Record<string, string>;
  http: Record<string, { server: string; tls: boolean }>;
  ftp: Record<string, { anonymous: boolean }>;
}
export interface GroundTruth {
  net: string;
  dnsServer: string;
  domain: string;
  hosts: HostTruth[];
  errors: string[];
}

export function loadGroundTruth(): GroundTruth {
  const path = resolve(process.env.LAB_STATE ?? '/tmp/fleetqry-lab', 'ground-truth.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as GroundTruth;
  } catch (e) {
    throw new Error(
      `fleet lab ground truth not readable at ${path} (is the lab up? bash tools/lab/lab.sh up): ${String(e)}`,
    );
  }
}
