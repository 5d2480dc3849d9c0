/** What a suppressed stretch of denials is summed up as, once its window ends. */
export interface DenialSummary {
  key: string;
  ip: string | undefined;
  actor: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
  lastAction: string;
}

interface Window {
  ip: string | undefined;
  actor: string;
  start: number;
  last: number;
  suppressed: number;
  lastAction: string;
}

/**
 * Keeps unauthenticated denials from flooding the audit log: the first denial of a client (address and kind
 * of caller) in a window is written as it is, the rest of the window only counted, and one summary row per
 * window says how many were left out. Bounded: past `maxKeys` clients, new ones share one overflow key.
 */
export class DenialAggregator {
  private readonly windows = new Map<string, Window>();
  private readonly ended: DenialSummary[] = [];

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** True when this denial is to be written; false when it is counted into the window's summary. */
  admit(ip: string | undefined, actor: string, action: string, now = Date.now()): boolean {
    // One key per kind of caller, not per made-up token: a spray of random tokens is one client.
    actor = actor.startsWith('unknown-token') ? 'unknown-token' : actor;
    let key = `${ip ?? '-'}|${actor}`;
    if (!this.windows.has(key) && this.windows.size >= this.maxKeys) key = '*';
    const w = this.windows.get(key);
    if (w && now - w.start < this.windowMs) {
      w.suppressed++;
      w.last = now;
      w.lastAction = action;
      return false;
    }
    // A window that ended without being drained yet is summed up by the next drain; start a fresh one.
    if (w && w.suppressed > 0) this.ended.push(this.summary(key, w));
    this.windows.set(key, {
      ip: key === '*' ? undefined : ip,
      actor: key === '*' ? 'many clients' : actor,
      start: now,
      last: now,
      suppressed: 0,
      lastAction: action,
    });
    return true;
  }

  /** Summaries of the windows that ended (or all, at shutdown), each window's suppressed denials once. */
  drain(now = Date.now(), all = false): DenialSummary[] {
    const out = this.ended.splice(0);
    for (const [key, w] of this.windows) {
      if (!all && now - w.start < this.windowMs) continue;
      if (w.suppressed > 0) out.push(this.summary(key, w));
      this.windows.delete(key);
    }
    return out;
  }

  private summary(key: string, w: Window): DenialSummary {
    return {
      key,
      ip: w.ip,
      actor: w.actor,
      count: w.suppressed,
      firstAt: new Date(w.start),
      lastAt: new Date(w.last),
      lastAction: w.lastAction,
    };
  }
}
