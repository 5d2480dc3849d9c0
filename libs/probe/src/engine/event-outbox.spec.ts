import { setImmediate as nextTurn } from 'node:timers/promises';

import { EventOutbox } from './event-outbox.js';

describe('EventOutbox', () => {
  it('hands out everything waiting, in order, and is empty after', () => {
    const box = new EventOutbox<number>();
    box.push(1);
    box.push(2);
    expect(box.length).toBe(2);
    expect(box.take()).toEqual([1, 2]);
    expect(box.length).toBe(0);
    expect(box.take()).toEqual([]);
  });

  it('wakes the consumer once per event-loop turn, at the end of the turn', async () => {
    const box = new EventOutbox<number>();
    let wakes = 0;
    const waiting = box.wait().then(() => wakes++);
    box.wakeSoon();
    box.push(1);
    box.wakeSoon(); // same turn: no second wake-up queued
    expect(wakes).toBe(0); // not yet: the rest of this turn's results still go in the batch
    await waiting;
    expect(wakes).toBe(1);
    expect(box.take()).toEqual([1]);

    // A later turn queues a new wake-up for a new wait.
    const again = box.wait().then(() => wakes++);
    box.wakeSoon();
    await again;
    expect(wakes).toBe(2);
  });

  it('a wake-up with nobody waiting is lost, not stored for the next wait', async () => {
    const box = new EventOutbox<number>();
    box.wakeSoon();
    await nextTurn();
    let woken = false;
    void box.wait().then(() => (woken = true));
    await nextTurn();
    await nextTurn();
    expect(woken).toBe(false);
    box.wakeSoon();
    await nextTurn();
    await nextTurn();
    expect(woken).toBe(true);
  });
});
