import { setTimeout as sleep } from 'node:timers/promises';

import type { LocalSocket, LocalSnapshot, LocalWatchEvent } from '@fleetqry/contracts';

import { readLocalSnapshot, type LocalReadOptions } from './snapshot.js';

/** What to watch: a port (local or remote side) or a process. */
export type WatchTarget = { port: number } | { pid: number };

function matches(s: LocalSocket, target: WatchTarget): boolean {
  return 'port' in target
    ? s.localPort === target.port || s.remotePort === target.port
    : s.pid === target.pid;
}

/** A connection's identity across snapshots: protocol and both endpoints (not the inode, which TIME_WAIT drops). */
function socketKey(s: LocalSocket): string {
  return `${s.proto} ${s.localAddress}:${s.localPort} ${s.remoteAddress}:${s.remotePort}`;
}

/** Keys made unique within one snapshot (SO_REUSEPORT listeners share endpoints). */
function keyed(sockets: Iterable<LocalSocket>): Map<string, LocalSocket> {
  const out = new Map<string, LocalSocket>();
  for (const s of sockets) {
    const key = socketKey(s);
    let k = key;
    for (let n = 2; out.has(k); n++) k = `${key} #${n}`;
    out.set(k, s);
  }
  return out;
}

/**
 * The watch differ: pure. `tracked` is what matched last time; a socket keeps being followed after it
 * loses its owner (a watched PID's connection going to TIME_WAIT is a state change, not a close).
 */
export class WatchDiffer {
  private tracked = new Map<string, LocalSocket>();

  constructor(private readonly target: WatchTarget) {}

  /** The first snapshot: remembered, no events. */
  baseline(sockets: readonly LocalSocket[]): LocalSocket[] {
    this.tracked = keyed(sockets.filter((s) => matches(s, this.target)));
    return [...this.tracked.values()];
  }

  next(sockets: readonly LocalSocket[], at: string): LocalWatchEvent[] {
    const all = keyed(sockets);
    const now = new Map<string, LocalSocket>();
    for (const [k, s] of all) if (matches(s, this.target) || this.tracked.has(k)) now.set(k, s);
    const events: LocalWatchEvent[] = [];
    for (const [k, s] of this.tracked) if (!now.has(k)) events.push({ change: 'closed', at, socket: s });
    for (const [k, s] of now) {
      const before = this.tracked.get(k);
      if (!before) {
        events.push({ change: 'new', at, socket: s });
        continue;
      }
      // keep the owner of a followed connection after the kernel drops it (TIME_WAIT has no inode)
      const shown =
        s.pid === null && before.pid !== null ? { ...s, pid: before.pid, process: before.process } : s;
      now.set(k, shown);
      if (before.state !== s.state)
        events.push({ change: 'state', at, socket: shown, previousState: before.state });
    }
    this.tracked = now;
    return events;
  }

  get size(): number {
    return this.tracked.size;
  }
}

export interface WatchOptions extends LocalReadOptions {
  target: WatchTarget;
  intervalMs: number;
  signal?: AbortSignal;
  /** Snapshot source (tests); default reads /proc. */
  read?: () => LocalSnapshot;
}

export interface WatchTick {
  at: string;
  /** True for the first snapshot: `sockets` holds what matched at the start; no events. */
  baseline: boolean;
  sockets: LocalSocket[];
  /** The first snapshot's every socket (the start summary's other ports); only on the baseline tick. */
  all?: LocalSocket[];
  events: LocalWatchEvent[];
}

/** Polls snapshots every `intervalMs` until `signal` aborts; yields the baseline, then every tick's changes. */
export async function* watchLocal(options: WatchOptions): AsyncGenerator<WatchTick> {
  const read = options.read ?? (() => readLocalSnapshot(options));
  const differ = new WatchDiffer(options.target);
  const first = read();
  yield {
    at: first.takenAt,
    baseline: true,
    sockets: differ.baseline(first.sockets),
    all: first.sockets,
    events: [],
  };
  while (!options.signal?.aborted) {
    try {
      await sleep(options.intervalMs, undefined, { signal: options.signal });
    } catch {
      return; // aborted
    }
    const snap = read();
    yield {
      at: snap.takenAt,
      baseline: false,
      sockets: snap.sockets,
      events: differ.next(snap.sockets, snap.takenAt),
    };
  }
}
