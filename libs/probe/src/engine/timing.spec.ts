import { jest } from '@jest/globals';

import { RateLimiter } from './rate-limiter.js';
import { RttEstimator } from './rtt-estimator.js';

describe('RttEstimator', () => {
  const timing = { minTimeoutMs: 100, maxTimeoutMs: 10_000, initialTimeoutMs: 1_000 };

  it('starts at the initial timeout and follows measurements, clamped', () => {
    const rtt = new RttEstimator(timing);
    expect(rtt.timeoutFor('a')).toBe(1000);
    expect(rtt.measuredTimeoutFor('a')).toBeUndefined();
    rtt.record('a', 0.05); // loopback: the floor applies
    expect(rtt.timeoutFor('a')).toBe(100);
    for (let i = 0; i < 20; i++) rtt.record('b', 400); // a slow network: srtt + 4·rttvar
    expect(rtt.timeoutFor('b')).toBeGreaterThan(400);
    expect(rtt.timeoutFor('b')).toBeLessThan(1000);
    rtt.record('c', 60_000);
    expect(rtt.timeoutFor('c')).toBe(10_000);
  });

  it('lets an unmeasured host borrow the global estimate, backs off on retries, and doubles for slow links', () => {
    const rtt = new RttEstimator(timing);
    rtt.record('a', 300);
    expect(rtt.timeoutFor('new-host')).toBe(rtt.timeoutFor('a'));
    expect(rtt.timeoutFor('a', 1)).toBe(2 * rtt.timeoutFor('a'));
    const slow = new RttEstimator(timing, 2);
    expect(slow.timeoutFor('x')).toBe(2000);
  });

  it('forgets finished hosts', () => {
    const rtt = new RttEstimator(timing);
    rtt.record('a', 5000);
    rtt.forget('a');
    expect(rtt.measuredTimeoutFor('a')).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('is unlimited at 0', () => {
    const r = new RateLimiter(0);
    expect(Array.from({ length: 1000 }, () => r.tryTake()).every(Boolean)).toBe(true);
  });

  it('admits a burst, then paces the rest at the configured rate, in order', async () => {
    const r = new RateLimiter(100, 5);
    const order: number[] = [];
    const all = Array.from({ length: 25 }, (_, i) => r.take().then(() => order.push(i)));
    await Promise.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(order).toHaveLength(5); // the burst
    await jest.advanceTimersByTimeAsync(100); // 100/s → 10 more in 100 ms
    expect(order.length).toBeGreaterThanOrEqual(14);
    expect(order.length).toBeLessThanOrEqual(16);
    await jest.advanceTimersByTimeAsync(200);
    await Promise.all(all);
    expect(order).toEqual([...Array(25).keys()]);
  });
});
