import { TooManyHostsError } from './errors.js';
import { assertMaxHosts, countHosts, expandTargets } from './expand.js';
import { parseTarget, parseTargets } from './spec.js';

describe('counting and the max-hosts limit', () => {
  it('counts a /8 without expanding it', () => {
    const started = performance.now();
    expect(countHosts([parseTarget('10.0.0.0/8')])).toBe(16777216n);
    expect(countHosts([parseTarget('::/0')])).toBe(1n << 128n);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('sums tokens and counts a hostname as one host', () => {
    expect(countHosts(parseTargets(['127.0.0.0/30', '127.0.0.1-3', 'localhost', '::1']))).toBe(9n);
  });

  it('rejects a /8 above the limit before anything is probed, naming the limit', () => {
    const specs = parseTargets(['127.0.0.1', '10.0.0.0/8']);
    expect(() => assertMaxHosts(specs, 65536)).toThrow(TooManyHostsError);
    expect(() => assertMaxHosts(specs, 65536)).toThrow(
      'targets expand to 16777217 hosts, more than the maximum of 65536 hosts per request (maxHosts)',
    );
  });

  it('accepts requests at the limit and returns the count', () => {
    expect(assertMaxHosts(parseTargets(['127.0.0.0/24']), 256)).toBe(256n);
    expect(assertMaxHosts(parseTargets(['127.0.0.0/24']), 256n)).toBe(256n);
  });
});

describe('streaming expansion', () => {
  it('includes network and broadcast addresses (nmap semantics)', () => {
    const out = [...expandTargets([parseTarget('127.0.0.0/30')])].map((t) =>
      t.kind === 'address' ? t.address : t.name,
    );
    expect(out).toEqual(['127.0.0.0', '127.0.0.1', '127.0.0.2', '127.0.0.3']);
  });

  it('keeps token order and carries the originating token', () => {
    const out = [...expandTargets(parseTargets(['localhost', '::1-::2', '127.0.0.9']))];
    expect(out.map((t) => (t.kind === 'address' ? t.address : t.name))).toEqual([
      'localhost',
      '::1',
      '::2',
      '127.0.0.9',
    ]);
    expect(out[1]!.spec.given).toBe('::1-::2');
  });

  it('is lazy: the first hosts of a /8 and of ::/0 come out immediately', () => {
    const it8 = expandTargets([parseTarget('10.0.0.0/8')]);
    expect(it8.next().value).toMatchObject({ address: '10.0.0.0' });
    expect(it8.next().value).toMatchObject({ address: '10.0.0.1' });
    const all6 = expandTargets([parseTarget('::/0')]);
    expect(all6.next().value).toMatchObject({ address: '::' });
  });

  it('walks a whole /16 without holding it in memory', () => {
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let last = '';
    let peak = 0;
    for (const t of expandTargets([parseTarget('10.1.0.0/16')])) {
      count++;
      if (t.kind === 'address') last = t.address;
      if ((count & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    expect(count).toBe(65536);
    expect(last).toBe('10.1.255.255');
    // Garbage from the walk is collectable; a materialised /16 of objects would stay live. The
    // bound is loose because GC timing varies; the laziness test above is the strict one.
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });
});
