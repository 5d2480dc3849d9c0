/**
 * Token bucket for "at most N new connections/packets per second", shared by everything a scanner
 * sends. Waiters are served in order; a rate of 0 or Infinity means unlimited.
 */
export class RateLimiter {
  private tokens: number;
  private last = performance.now();
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  /**
   * The fraction of the rate this limiter may use now; the rest is lent to a native batch that
   * paces itself in C (see native-batcher.ts), so the two together stay within the scan's rate.
   */
  share = 1;

  constructor(
    private readonly perSecond: number,
    private readonly burst = Math.max(1, Math.ceil(perSecond / 20)),
  ) {
    this.tokens = this.burst;
  }

  get unlimited(): boolean {
    return !(this.perSecond > 0 && Number.isFinite(this.perSecond));
  }

  /** Resolves when one token is available. Synchronous fast path returns true. */
  tryTake(): boolean {
    if (this.unlimited) return true;
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  take(): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.last) / 1000) * this.perSecond * this.share,
    );
    this.last = now;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) / (this.perSecond * this.share)) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiters.length && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()!();
      }
      if (this.waiters.length) this.schedule();
    }, wait);
  }
}
