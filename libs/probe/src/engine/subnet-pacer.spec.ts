import { PACE_CUT, PACE_FLOOR, SubnetPacer, subnetOf } from './subnet-pacer.js';

describe('subnetOf', () => {
  it('is the /24 of IPv4 and the /64 of a full IPv6 address', () => {
    expect(subnetOf('127.30.0.17')).toBe('127.30.0');
    expect(subnetOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2');
    expect(subnetOf('::1')).toBe('::1');
  });
});

describe('SubnetPacer', () => {
  it('leaves a clean subnet its full caps and forgets it when idle', () => {
    const p = new SubnetPacer(256);
    p.begin('127.1.2');
    p.answered('127.1.2.3', false, 100);
    expect(p.allowance('127.1.2', 256)).toBe(256);
    expect(p.inflight('127.1.2')).toBe(1);
    p.end('127.1.2');
    expect(p.inflight('127.1.2')).toBe(0);
  });

  it('narrows a subnet on a detected drop, at most once per timeout, never below the floor', () => {
    const p = new SubnetPacer(200);
    p.begin('127.1.2');
    p.answered('127.1.2.3', true, 60_000);
    expect(p.allowance('127.1.2', 200)).toBe(Math.floor(200 * PACE_CUT));
    p.answered('127.1.2.4', true, 0); // within the first cut's timeout: no second cut
    expect(p.allowance('127.1.2', 200)).toBe(Math.floor(200 * PACE_CUT));

    const q = new SubnetPacer(200);
    q.begin('127.1.2');
    for (let i = 0; i < 50; i++) q.answered('127.1.2.3', true, 0);
    expect(q.allowance('127.1.2', 200)).toBe(200 * PACE_FLOOR);
    expect(q.allowance('127.1.2', 48)).toBe(48 * PACE_FLOOR); // the per-host cap narrows alike
    // Other subnets are not affected.
    expect(p.allowance('127.9.9', 200)).toBe(200);
  });

  it('widens again with answers to first attempts', () => {
    const p = new SubnetPacer(10);
    p.begin('127.1.2');
    p.answered('127.1.2.3', true, 0);
    expect(p.allowance('127.1.2', 10)).toBe(9);
    for (let i = 0; i < 20; i++) p.answered('127.1.2.3', false, 0);
    expect(p.allowance('127.1.2', 10)).toBe(10);
  });
});
