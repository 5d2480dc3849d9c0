// Lab settings from the environment, validated so the lab can only ever live on 127.0.0.0/8.
import path from 'node:path';

export const DOMAIN = 'lab.fleetqry.test';

export interface LabConfig {
  net: string;
  hostCount: number;
  state: string;
  table: string;
  run: string;
  log: string;
  conf: string;
  data: string;
  repoLab: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LabConfig {
  const net = env.LAB_NET ?? '127.30.0';
  const m = /^127\.(\d{1,3})\.(\d{1,3})$/.exec(net);
  if (!m || net === '127.0.0' || Number(m[1]) > 255 || Number(m[2]) > 255) {
    throw new Error(`LAB_NET=${net} must be a 127.x.y prefix other than 127.0.0`);
  }
  const hostCount = Number(env.LAB_HOSTS ?? '64');
  if (!Number.isInteger(hostCount) || hostCount < 16 || hostCount > 250) {
    throw new Error(`LAB_HOSTS=${env.LAB_HOSTS} must be 16..250`);
  }
  const state = path.resolve(env.LAB_STATE ?? '/tmp/fleetqry-lab');
  return {
    net,
    hostCount,
    state,
    table: `fqlab_${net.replaceAll('.', '_')}`,
    run: path.join(state, 'run'),
    log: path.join(state, 'log'),
    conf: path.join(state, 'conf'),
    data: path.join(state, 'data'),
    repoLab: path.resolve(import.meta.dirname, '..'),
  };
}

export function hostAddr(cfg: LabConfig, i: number): string {
  return `${cfg.net}.${i}`;
}

export function hostLabel(i: number): string {
  return `h${String(i).padStart(3, '0')}`;
}

export function hostName(i: number): string {
  return `${hostLabel(i)}.${DOMAIN}`;
}

/** Throws unless addr is inside 127.0.0.0/8: the lab never sends anything anywhere else. */
export function assertLoopback(addr: string): string {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(addr))
    throw new Error(`refusing non-loopback address ${addr}`);
  return addr;
}
