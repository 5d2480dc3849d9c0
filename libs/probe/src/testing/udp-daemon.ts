/**
 * Test helper (integration specs only) for UDP daemons on 127.44.0.x: readiness is "the plugin's own
 * query gets an answer" (UDP has no connect), and addresses the daemon must bind on an interface are
 * added to `lo` for the test and removed afterwards (only when this helper added them).
 */
import { spawn, spawnSync } from 'node:child_process';

export interface UdpDaemon {
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; waits for the exit. */
  stop(): Promise<void>;
}

export interface UdpDaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Resolves true once the daemon answers; polled every 200 ms until readyTimeoutMs (default 10 s). */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export async function startUdpDaemon(spec: UdpDaemonSpec): Promise<UdpDaemon> {
  let out = '';
  const child = spawn(spec.command, spec.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env },
  });
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const stop = (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  };
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
    if (await spec.ready()) return { output: () => out, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`${spec.name} did not answer: ${spawnError?.message ?? ''}\n${out}`);
}

/** Adds `address`/32 to lo unless present (root only); `remove()` undoes only what this call added. */
export function loopbackAddress(address: string): { remove(): void } {
  const present = spawnSync('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  if (present.stdout?.includes(` ${address}/`)) return { remove: () => undefined };
  const add = spawnSync('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo'], { encoding: 'utf8' });
  if (add.status !== 0)
    throw new Error(`ip addr add ${address}/32 dev lo failed (root needed): ${add.stderr}`);
  return { remove: () => void spawnSync('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo']) };
}
