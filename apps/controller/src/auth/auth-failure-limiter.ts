/**
 * Failed authentications per client address in fixed windows: past `limit` failures an address is refused
 * (429, Retry-After) until its window ends. In memory, per controller replica (each replica limits what it
 * sees); the map is bounded, so a spray of source addresses cannot grow it without end.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly maxAddresses = 100_000,
  ) {}

  recordFailure(ip: string, now = Date.now()): void {
    const w = this.current(ip, now);
    if (w) {
      w.failures++;
      return;
    }
    if (this.windows.size >= this.maxAddresses) this.sweep(now);
    // Still full: the oldest entry goes (Map keeps insertion order).
    if (this.windows.size >= this.maxAddresses) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(ip, { start: now, failures: 1 });
  }

  /** Seconds until the address may try again, or undefined when it is not limited. */
  retryAfterSeconds(ip: string, now = Date.now()): number | undefined {
    const w = this.current(ip, now);
    if (!w || w.failures < this.limit) return undefined;
    return Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
  }

  private current(ip: string, now: number) {
    const w = this.windows.get(ip);
    if (w && now - w.start < this.windowMs) return w;
    if (w) this.windows.delete(ip);
    return undefined;
  }

  private sweep(now: number): void {
    for (const [ip, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(ip);
  }
}
