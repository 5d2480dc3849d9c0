import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { DenialAggregator } from './denial-aggregator.js';

describe('AuthFailureLimiter', () => {
  it('limits an address past its failures until its window ends, and no other address', () => {
    const l = new AuthFailureLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterSeconds('192.0.2.1', 1_000)).toBeUndefined();
      l.recordFailure('192.0.2.1', 1_000);
    }
    expect(l.retryAfterSeconds('192.0.2.1', 11_000)).toBe(50);
    expect(l.retryAfterSeconds('192.0.2.2', 11_000)).toBeUndefined();
    expect(l.retryAfterSeconds('192.0.2.1', 61_000)).toBeUndefined();
  });

  it('stays bounded under a spray of addresses', () => {
    const l = new AuthFailureLimiter(1, 60_000, 100);
    for (let i = 0; i < 1_000; i++) l.recordFailure(`10.0.${i >> 8}.${i & 255}`, 0);
    expect((l as unknown as { windows: Map<string, unknown> }).windows.size).toBe(100);
    expect(l.retryAfterSeconds('10.0.3.231', 0)).toBe(60); // the newest are kept
  });
});

describe('DenialAggregator', () => {
  it('admits the first denial of a client per window and sums up the rest once', () => {
    const a = new DenialAggregator(60_000);
    expect(a.admit('192.0.2.1', 'unknown-token (fq_a…)', 'GET /a', 0)).toBe(true);
    expect(a.admit('192.0.2.1', 'unknown-token (fq_b…)', 'GET /b', 10)).toBe(false);
    expect(a.admit('192.0.2.1', 'unknown-token (fq_c…)', 'GET /c', 20)).toBe(false);
    expect(a.admit('192.0.2.2', 'anonymous', 'GET /a', 30)).toBe(true);
    expect(a.drain(59_000)).toEqual([]);
    const [summary, ...rest] = a.drain(60_001);
    expect(rest).toEqual([]);
    expect(summary).toMatchObject({
      ip: '192.0.2.1',
      actor: 'unknown-token',
      count: 2,
      lastAction: 'GET /c',
    });
    expect(a.drain(120_000, true)).toEqual([]);
    // A new window after the old one ended writes again.
    expect(a.admit('192.0.2.1', 'anonymous', 'GET /a', 200_000)).toBe(true);
  });

  it('puts clients past its bound under one overflow key', () => {
    const a = new DenialAggregator(60_000, 2);
    expect(a.admit('192.0.2.1', 'anonymous', 'x', 0)).toBe(true);
    expect(a.admit('192.0.2.2', 'anonymous', 'x', 0)).toBe(true);
    expect(a.admit('192.0.2.3', 'anonymous', 'x', 0)).toBe(true);
    expect(a.admit('192.0.2.4', 'anonymous', 'x', 0)).toBe(false);
    expect(a.drain(0, true).find((s) => s.key === '*')).toMatchObject({ actor: 'many clients', count: 1 });
  });
});
