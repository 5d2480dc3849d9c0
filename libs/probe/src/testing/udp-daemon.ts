/**
 * Test helper (integration specs only) for UDP daemons on 127.44.0.x: readiness is "the plugin's own
 * query gets an answer" (UDP has no connect), and addresses the daemon must bind on an interface are
 * added to `lo` for the test and removed afterwards (only when this helper added them).
 */
import { spawnSync } from 'node:child_process';

import { spawnUntilReady, type DaemonProcess } from './lab-daemons.js';

export type UdpDaemon = DaemonProcess;

export interface UdpDaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Resolves true once the daemon answers; polled every 200 ms until readyTimeoutMs (default 10 s). */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export function startUdpDaemon(spec: UdpDaemonSpec): Promise<UdpDaemon> {
  return spawnUntilReady({ ...spec, pollMs: 200, notReady: 'did not answer' });
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
