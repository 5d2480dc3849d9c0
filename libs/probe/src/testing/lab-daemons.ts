/**
 * Test helper (integration specs only): runs real Debian daemons as child processes on 127.42.0.x,
 * each with a config written to a temporary directory, and stops them. Nothing here resolves names.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A started daemon: what it printed (the tail), and SIGTERM, then SIGKILL after 3 s, awaiting the exit. */
export interface DaemonProcess {
  output(): string;
  stop(): Promise<void>;
}

export interface RunningDaemon extends DaemonProcess {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  address: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the port to accept connections (default 10 s). */
  readyTimeoutMs?: number;
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), `fleetqry-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether a TCP connect to address:port succeeds (bounded by `timeoutMs`). */
function canConnect(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Spawns a daemon, keeps the tail of its output, and polls `ready` every `pollMs` until it holds
 * (bounded by `readyTimeoutMs`, default 10 s). If the daemon exits or never gets ready, it is stopped
 * and the error carries `notReady` and its output.
 */
export async function spawnUntilReady(spec: {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  pollMs: number;
  ready: () => Promise<boolean>;
  notReady: string;
}): Promise<DaemonProcess> {
  let out = '';
  const child = spawn(spec.command, spec.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env },
  });
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const daemon: DaemonProcess = { output: () => out, stop: () => stopChild(child) };
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
    if (await spec.ready()) return daemon;
    await new Promise((r) => setTimeout(r, spec.pollMs));
  }
  await daemon.stop();
  throw new Error(`${spec.name} ${spec.notReady}: ${spawnError?.message ?? ''}\n${out}`);
}

/** Starts `spec.command` and waits until its port accepts connections (see spawnUntilReady). */
export async function startDaemon(spec: DaemonSpec): Promise<RunningDaemon> {
  const daemon = await spawnUntilReady({
    ...spec,
    pollMs: 100,
    ready: () => canConnect(spec.address, spec.port, 500),
    notReady: `did not start on ${spec.address}:${spec.port}`,
  });
  return { name: spec.name, address: spec.address, port: spec.port, ...daemon };
}

/** Runs a short command to completion (key generation and the like); throws on failure. */
export function run(command: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

/** CI and `npm test` set it: no suite, test or case may pass by skipping what it could not run. */
const daemonsRequired = (): boolean => process.env['FLEETQRY_REQUIRE_DAEMONS'] === '1';

/**
 * Whether a suite (or case) whose precondition has `problem` (undefined: met) may run. Unmet, it is skipped
 * with a warning on a developer's machine; under FLEETQRY_REQUIRE_DAEMONS=1 it throws instead, so the test
 * fails loudly, naming what was missing.
 */
export function preconditionMet(title: string, problem: string | undefined): boolean {
  if (problem === undefined) return true;
  if (daemonsRequired())
    throw new Error(`${title}: ${problem} (FLEETQRY_REQUIRE_DAEMONS=1: nothing may pass by skipping)`);
  console.warn(`${title}: skipped, ${problem}`);
  return false;
}

/** Whether a real-daemon suite can run: every binary installed (see {@link preconditionMet}). */
export function daemonsInstalled(title: string, binaries: string[]): boolean {
  const missing = binaries.filter((b) => !existsSync(b));
  return preconditionMet(title, missing.length ? `not installed: ${missing.join(', ')}` : undefined);
}
