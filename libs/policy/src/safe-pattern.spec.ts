import fc from 'fast-check';

import { compileSafePattern, MAX_PATTERN_LENGTH, UnsafePatternError } from './safe-pattern.js';

describe('compileSafePattern: same answers as RegExp on the supported subset', () => {
  const patterns = [
    '^Microsoft-IIS(/|$)',
    'Apache|nginx',
    '^nginx/\\d+\\.\\d+',
    '[Aa]pache/2\\.[0-4]',
    '^SSH-2\\.0-OpenSSH_[0-8]\\.',
    '\\bvsFTPd 2\\.3\\.4\\b',
    '^220[ -]',
    'a{2,3}b?',
    '^(?:foo|bar)baz$',
    '[^a-z0-9]',
    '\\s\\S\\w\\W\\d\\D',
    '^$',
    'x*',
    '(a|ab)(c|bcd)(d*)',
    '[\\d-x]',
    '\\x41\\u0042',
    'IIS\\B',
    '.+',
    '[]',
    'a|',
  ];
  const subjects = [
    '',
    'Microsoft-IIS/10.0',
    'Microsoft-IIS',
    'Microsoft-IISx',
    'Apache/2.4.57 (Debian)',
    'nginx/1.22.1',
    'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
    'SSH-2.0-OpenSSH_7.4',
    '220 (vsFTPd 2.3.4)',
    '220-welcome',
    'aab',
    'aaaab',
    'foobaz',
    'barbaz',
    'foobazz',
    'abcd',
    'AB',
    '-',
    'IISx',
    'line1\nline2',
    ' x_ 5z',
  ];

  it.each(patterns)('%s', (source) => {
    const safe = compileSafePattern(source);
    const native = new RegExp(source);
    for (const s of subjects) expect([s, safe.test(s)]).toEqual([s, native.test(s)]);
  });

  it('ignoreCase matches like the i flag', () => {
    for (const source of ['^microsoft-iis', '[a-c]pache', 'NGINX']) {
      const safe = compileSafePattern(source, { ignoreCase: true });
      const native = new RegExp(source, 'i');
      for (const s of ['Microsoft-IIS/8.5', 'Apache', 'bPACHE', 'nginx', 'NgInX/1']) {
        expect([source, s, safe.test(s)]).toEqual([source, s, native.test(s)]);
      }
    }
  });

  it('agrees with RegExp on random subjects (property)', () => {
    const sources = ['^(a|b)*c$', 'ab+c?', '[abc]{2,4}$', '\\bab', 'a.c', '(?:ab|ba)+a'];
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', '\n') }),
        (src, s) => {
          expect(compileSafePattern(src).test(s)).toBe(new RegExp(src).test(s));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('compileSafePattern refuses unsafe or unsupported patterns', () => {
  it.each([
    ['(a+)+$', /nested unbounded quantifiers/],
    ['(a*)*b', /nested unbounded quantifiers/],
    ['(\\w+\\s?)+$', /nested unbounded quantifiers/],
    ['(a)\\1', /backreferences/],
    ['(?=a)b', /lookahead/],
    ['(?<!a)b', /lookahead\/lookbehind/],
    ['a{1000}', /limited to 100/],
    ['(a{100}){100}', /more than 2000 states/],
    ['x'.repeat(MAX_PATTERN_LENGTH + 1), /longer than/],
    ['(abc', /unterminated group/],
    ['abc)', /unmatched/],
    ['[abc', /unterminated character class/],
    ['*a', /nothing to repeat/],
    ['a**', /nothing to repeat/],
    ['\\p{L}', /unsupported escape/],
    ['^*', /assertion/],
    ['[z-a]', /out of order/],
  ])('%s', (source, message) => {
    expect(() => compileSafePattern(source)).toThrow(UnsafePatternError);
    expect(() => compileSafePattern(source)).toThrow(message);
  });

  it('matches in linear time on inputs that make backtracking engines explode', () => {
    // `^(a|a)*$` and `.*.*.*.*x` are exponential / polynomial for backtracking; here they are O(n·m).
    const cases: Array<[string, string]> = [
      ['^(a|a)*$', `${'a'.repeat(4000)}!`],
      ['.*.*.*.*.*x', 'y'.repeat(4096)],
      ['^(a|aa)*b$', 'a'.repeat(4096)],
      ['(.*a){20}', 'a'.repeat(4096)], // accepted: a bounded repeat of an unbounded one
    ];
    const started = performance.now();
    for (const [source, subject] of cases)
      expect(compileSafePattern(source).test(subject)).toBe(source === '(.*a){20}');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
