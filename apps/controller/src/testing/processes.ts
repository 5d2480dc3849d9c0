// Test-only: the apps as separate processes, as deployed (the migrator, the controller, workers, the CLI).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

import { REPO_ROOT } from '../dispatch/testing/distributed-harness.js';

/** A child process with everything it wrote (stdout and stderr, raw: a secret split across chunks is still found). */
export interface Proc {
  name: string;
  child: ChildProcess;
  text: () => string;
}

// Children get a clean environment: only what is configured here (never the test runner's DATABASE_URL, NODE_OPTIONS…).
const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/root',
});

export function startProcess(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => chunks.push(d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => chunks.push(d));
  return { name, child, text: () => chunks.join('') };
}

export function running(p: Proc): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the pipes are drained. */
export async function stopProcess(p: Proc, graceMs = 15_000): Promise<{ signal: string; ms: number }> {
  const t0 = performance.now();
  if (!running(p)) return { signal: 'already exited', ms: 0 };
  const closed = new Promise<void>((r) => p.child.once('close', () => r()));
  p.child.kill('SIGTERM');
  let signal = 'SIGTERM';
  const timer = setTimeout(() => {
    signal = 'SIGKILL';
    p.child.kill('SIGKILL');
  }, graceMs);
  await closed;
  clearTimeout(timer);
  return { signal, ms: Math.round(performance.now() - t0) };
}

/** Runs a process to completion (the migrator, the CLI). */
export function runProcess(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 240_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
