import { TargetResolutionError } from '../targets/errors.js';
import { resolveTargets, type TargetOutcome } from '../targets/resolve.js';
import type { TargetResolver } from '../targets/resolver.js';
import { parseTarget, parseTargets } from '../targets/spec.js';
import { OutOfScopeError, ScopeConfigError } from './errors.js';
import { DEFAULT_SCOPE, enforceScope, Scope } from './scope.js';

const scope = new Scope({ allow: ['127.0.0.0/8', '::1/128'], deny: ['127.0.0.53/32', '127.9.0.0/16'] });

describe('Scope.check on addresses', () => {
  it.each(['127.0.0.1', '127.255.255.255', '::1', '::ffff:127.0.0.1'])('allows %s', (a) => {
    expect(scope.check(a)).toEqual({ ok: true });
  });

  it.each([
    ['10.0.0.1', /outside the scope allowlist \(127\.0\.0\.0\/8, ::1\/128\)/],
    ['::2', /outside the scope allowlist/],
    ['128.0.0.1', /outside/],
    ['127.0.0.53', /is in the scope denylist \(127\.0\.0\.53\/32\)/],
    ['127.9.1.1', /denylist \(127\.9\.0\.0\/16\)/],
    // The IPv4-mapped spelling of a denied host is the same host.
    ['::ffff:127.0.0.53', /denylist/],
    ['::ffff:10.0.0.1', /outside/],
    ['012.0.0.1', /not a valid address/],
    ['localhost', /not a valid address/],
  ])('refuses %s', (address, reason) => {
    const d = scope.check(address);
    expect(d.ok).toBe(false);
    expect((d as { reason: string }).reason).toMatch(reason);
  });

  it('assertInScope throws OutOfScopeError naming address and target', () => {
    expect(() => scope.assertInScope('10.0.0.1', 'outside.lab.test')).toThrow(OutOfScopeError);
    expect(() => scope.assertInScope('10.0.0.1', 'outside.lab.test')).toThrow(
      'refused 10.0.0.1 (target "outside.lab.test"): is outside the scope allowlist (127.0.0.0/8, ::1/128)',
    );
    expect(() => scope.assertInScope('127.0.0.2')).not.toThrow();
  });

  it('deny wins over allow', () => {
    const s = new Scope({ allow: ['0.0.0.0/0'], deny: ['127.0.0.0/8'] });
    expect(s.check('127.0.0.1').ok).toBe(false);
    expect(s.check('10.0.0.1').ok).toBe(true);
  });

  it('an IPv6 entry like ::/0 does not allow IPv4 (mapped space is governed by IPv4 entries)', () => {
    const s = new Scope({ allow: ['::/0'] });
    expect(s.check('2001:db8::1').ok).toBe(true);
    expect(s.check('10.0.0.1').ok).toBe(false);
    expect(s.check('::ffff:10.0.0.1').ok).toBe(false);
    const mapped = new Scope({ allow: ['::ffff:127.0.0.0/104'] });
    expect(mapped.check('127.1.2.3').ok).toBe(true);
  });

  it('the default scope is loopback only', () => {
    const s = new Scope(DEFAULT_SCOPE);
    expect(s.check('127.0.0.1').ok).toBe(true);
    expect(s.check('::1').ok).toBe(true);
    expect(s.check('192.168.1.1').ok).toBe(false);
  });

  it('an empty allowlist allows nothing', () => {
    expect(new Scope({ allow: [] }).check('127.0.0.1')).toEqual({
      ok: false,
      reason: 'is outside the scope allowlist (empty)',
    });
  });
});

describe('scope configuration is parsed strictly', () => {
  it.each([
    ['allow', '127.0.0.0/33', /out of range 0-32/],
    ['allow', '127.1/8', /short-form/],
    ['allow', '012.0.0.0/8', /leading zeros/],
    ['deny', 'localhost', /not hostnames/],
    ['deny', '/24abc', /missing address/],
  ] as const)('%s %s', (list, entry, reason) => {
    const config = list === 'allow' ? { allow: [entry] } : { allow: ['127.0.0.0/8'], deny: [entry] };
    expect(() => new Scope(config)).toThrow(ScopeConfigError);
    expect(() => new Scope(config)).toThrow(reason);
    expect(() => new Scope(config)).toThrow(`invalid scope ${list}list entry "${entry}"`);
  });
});

describe('plan-time checks on literal targets (range math)', () => {
  it('accepts CIDRs and ranges wholly inside the allowlist', () => {
    expect(scope.checkTarget(parseTarget('127.0.0.0/27'))).toEqual({ ok: true });
    expect(scope.checkTarget(parseTarget('127.0.1.1-127.0.2.200'))).toEqual({ ok: true });
  });

  it('refuses a CIDR partly outside the allowlist, naming the first outside address', () => {
    const d = new Scope(DEFAULT_SCOPE).checkTarget(parseTarget('126.0.0.0/7'));
    expect(d).toEqual({
      ok: false,
      reason: 'is not entirely inside the scope allowlist (127.0.0.0/8, ::1/128); 126.0.0.0 is outside',
    });
    const r = scope.checkTarget(parseTarget('127.255.255.250-128.0.0.5'));
    expect((r as { reason: string }).reason).toMatch(/128\.0\.0\.0 is outside/);
  });

  it('refuses a range that touches the denylist', () => {
    expect(scope.checkTarget(parseTarget('127.0.0.0/24'))).toEqual({
      ok: false,
      reason: 'intersects the scope denylist (127.0.0.53/32)',
    });
    expect(scope.checkTarget(parseTarget('127.8.255.255-127.9.0.0')).ok).toBe(false);
  });

  it('a /8 is checked without expansion (instant)', () => {
    const wide = new Scope({ allow: ['10.0.0.0/8', '11.0.0.0/8'] });
    const started = performance.now();
    expect(wide.checkTarget(parseTarget('10.0.0.0/7'))).toEqual({ ok: true }); // merged adjacent allow entries
    expect(wide.checkTarget(parseTarget('::/0')).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('hostnames pass at plan time (checked after resolution)', () => {
    expect(scope.checkTarget(parseTarget('outside.lab.test'))).toEqual({ ok: true });
  });

  it('assertTargetsInScope throws the first violation and counts the rest', () => {
    const specs = parseTargets(['127.0.0.1', '10.0.0.0/24', '127.0.0.53', 'host.lab.test']);
    expect(scope.violations(specs).map((e) => e.target)).toEqual(['10.0.0.0/24', '127.0.0.53']);
    expect(() => scope.assertTargetsInScope(specs)).toThrow(
      /refused 10\.0\.0\.0\/24: .*\(and 1 more targets out of scope\)/,
    );
    expect(() => scope.assertTargetsInScope(parseTargets(['127.0.0.1']))).not.toThrow();
  });
});

describe('probe-time checks on resolved addresses', () => {
  const resolver: TargetResolver = {
    async resolve(name) {
      const table: Record<string, string> = {
        'inside.lab.test': '127.0.0.8',
        'outside.lab.test': '10.0.0.1',
        'denied.lab.test': '127.0.0.53',
      };
      const address = table[name];
      if (!address) throw new TargetResolutionError(name, 'no such name', 'ENOTFOUND');
      return [{ address, family: 4 }];
    },
    async reverse() {
      return [];
    },
  };

  it('refuses hostnames that resolve outside scope, per target', async () => {
    const specs = parseTargets(['inside.lab.test', 'outside.lab.test', 'denied.lab.test', 'nope.lab.test']);
    scope.assertTargetsInScope(specs); // names pass plan time
    const out: TargetOutcome[] = [];
    for await (const o of enforceScope(resolveTargets(specs, { resolver, noReverse: true }), scope))
      out.push(o);
    expect(out.map((o) => o.ok)).toEqual([true, false, false, false]);
    const outside = out[1] as Extract<TargetOutcome, { ok: false }>;
    expect(outside.error).toBeInstanceOf(OutOfScopeError);
    expect(outside.error.message).toBe(
      'refused 10.0.0.1 (target "outside.lab.test"): is outside the scope allowlist (127.0.0.0/8, ::1/128)',
    );
    expect((out[2] as Extract<TargetOutcome, { ok: false }>).error.message).toMatch(/denylist/);
    expect((out[3] as Extract<TargetOutcome, { ok: false }>).error).toBeInstanceOf(TargetResolutionError);
  });
});
