/**
 * Events waiting for the consumer of a scan, which sleeps between batches. Probes finish one I/O
 * callback at a time; waking the consumer once per event-loop turn (not per probe) makes each batch
 * hold everything that turn finished, and one await per many probes keeps its cost off the hot path.
 */
export class EventOutbox<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private wakeQueued = false;

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Everything waiting, in order; the outbox is empty after. */
  take(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  /** Resolves at the next wake-up. */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  /** Wakes the waiting consumer at the end of this event-loop turn, once however often it is called. */
  wakeSoon(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(this.wakeNow);
  }

  private readonly wakeNow = (): void => {
    this.wakeQueued = false;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  };
}
