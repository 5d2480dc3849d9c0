import { formatIp } from '@fleetqry/contracts';

import { TargetParseError } from './errors.js';
import { hostCount, parseTarget, parseTargets, type TargetSpec } from './spec.js';
import { parseTargetFileText } from './target-file.js';

function bounds(spec: TargetSpec): [string, string] {
  if (spec.kind === 'hostname') throw new Error('not a literal');
  return [formatIp(spec.family, spec.first), formatIp(spec.family, spec.last)];
}

function reasonOf(token: string): string {
  try {
    parseTarget(token);
  } catch (err) {
    expect(err).toBeInstanceOf(TargetParseError);
    expect((err as TargetParseError).token).toBe(token.trim() === '' ? token : token.trim());
    expect((err as Error).message).toContain(
      `invalid target "${token.trim() === '' ? token : token.trim()}"`,
    );
    return (err as TargetParseError).reason;
  }
  throw new Error(`expected ${token} to be rejected`);
}

describe('parseTarget: good forms', () => {
  it.each([
    ['127.0.0.1', 4, '127.0.0.1', '127.0.0.1'],
    ['0.0.0.0', 4, '0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', 4, '255.255.255.255', '255.255.255.255'],
    ['::1', 6, '::1', '::1'],
    ['::', 6, '::', '::'],
    ['2001:DB8::1', 6, '2001:db8::1', '2001:db8::1'],
    ['2001:db8:0:0:0:0:2:1', 6, '2001:db8::2:1', '2001:db8::2:1'],
    ['::ffff:127.0.0.1', 6, '::ffff:127.0.0.1', '::ffff:127.0.0.1'],
  ])('address %s', (token, family, first, last) => {
    const spec = parseTarget(token);
    expect(spec).toMatchObject({ kind: 'address', family, given: token });
    expect(bounds(spec)).toEqual([first, last]);
  });

  it.each([
    ['127.0.0.0/8', '127.0.0.0', '127.255.255.255', 16777216n],
    ['10.0.0.0/24', '10.0.0.0', '10.0.0.255', 256n],
    ['10.0.0.7/32', '10.0.0.7', '10.0.0.7', 1n],
    ['10.0.0.5/24', '10.0.0.0', '10.0.0.255', 256n], // host bits ignored, like nmap
    ['0.0.0.0/0', '0.0.0.0', '255.255.255.255', 1n << 32n],
    ['::1/128', '::1', '::1', 1n],
    ['2001:db8::/64', '2001:db8::', '2001:db8::ffff:ffff:ffff:ffff', 1n << 64n],
  ])('CIDR %s', (token, first, last, count) => {
    const spec = parseTarget(token);
    expect(spec.kind).toBe('cidr');
    expect(bounds(spec)).toEqual([first, last]);
    expect(hostCount(spec)).toBe(count);
  });

  it.each([
    ['10.0.0.1-20', '10.0.0.1', '10.0.0.20', 20n],
    ['10.0.0.1-10.0.0.20', '10.0.0.1', '10.0.0.20', 20n],
    ['10.0.0.250-10.0.1.5', '10.0.0.250', '10.0.1.5', 12n],
    ['10.0.0.7-7', '10.0.0.7', '10.0.0.7', 1n],
    ['::1-::3', '::1', '::3', 3n],
  ])('range %s', (token, first, last, count) => {
    const spec = parseTarget(token);
    expect(spec.kind).toBe('range');
    expect(bounds(spec)).toEqual([first, last]);
    expect(hostCount(spec)).toBe(count);
  });

  it.each([
    'localhost',
    'dc1.corp.example',
    'my-host',
    'a1.b2',
    'xn--bcher-kva.example',
    'host.example.',
    '0xdead.example.com',
    '10-0-0-1.example',
  ])('hostname %s', (token) => {
    expect(parseTarget(token)).toMatchObject({
      kind: 'hostname',
      given: token,
      name: token.replace(/\.$/, ''),
    });
  });

  it('trims surrounding whitespace', () => {
    expect(parseTarget('  127.0.0.1 ')).toMatchObject({ kind: 'address', given: '127.0.0.1' });
  });

  it('parses lists', () => {
    expect(parseTargets(['127.0.0.1', 'localhost']).map((s) => s.kind)).toEqual(['address', 'hostname']);
  });
});

describe('parseTarget: strict rejections', () => {
  it.each([
    ['012.0.0.1', /leading zeros/],
    ['127.0.0.01', /leading zeros/],
    ['0x7f.1', /hexadecimal/],
    ['0x7f000001', /hexadecimal/],
    ['127.1', /short-form/],
    ['10.1.1', /short-form/],
    ['2130706433', /short-form/],
    ['256.1.1.1', /out of range 0-255/],
    ['1.2.3.4.5', /four octets/],
    ['127.0.0.1.', /four octets/],
    ['1.2.3.4/33', /out of range 0-32/],
    ['::1/129', /out of range 0-128/],
    ['/24abc', /missing address/],
    ['1.2.3.4/24abc', /not a decimal number/],
    ['1.2.3.4/', /prefix length is empty/],
    ['1.2.3.4/08', /leading zeros/],
    ['1.2.3.4/24/8', /more than one/],
    ['example.com/24', /not a hostname/],
    ['10.0.0.20-10', /before its start/],
    ['10.0.0.20-10.0.0.10', /before its start/],
    ['10.0.0.1-', /end is missing/],
    ['10.0.0.1-256', /out of range/],
    ['10.0.0.1-010', /leading zeros/],
    ['10.0.0-5.1', /range start/],
    ['10.0.0.1-foo', /not a decimal number/],
    ['::3-::1', /before its start/],
    ['fe80::1%eth0', /zone ids/],
    ['[::1]', /without brackets/],
    ['1::2::3', /only once/],
    ['1:2:3:4:5:6:7:8:9', /8 groups/],
    ['1:2:3:4:5:6:7', /8 groups/],
    ['12345::1', /hexadecimal digits/],
    [':1', /empty group/],
    ['1:2:3:4:5:6:7::8', /at least one zero group/],
    ['1.2.3.4::', /must come last/],
    ['-host', /RFC 1123/],
    ['host-', /RFC 1123/],
    ['bad_name.example', /RFC 1123/],
    ['a..b', /empty label/],
    [`${'a'.repeat(64)}.example`, /longer than 63/],
    [`${'a.'.repeat(127)}ab`, /longer than 253/],
    ['two tokens', /whitespace/],
  ])('%s', (token, reason) => {
    expect(reasonOf(token)).toMatch(reason);
  });

  it.each(['', '   '])('empty token %j', (token) => {
    expect(() => parseTarget(token)).toThrow(TargetParseError);
    expect(() => parseTarget(token)).toThrow(/empty target/);
  });

  it('message names the token exactly as the brief shows', () => {
    expect(() => parseTarget('012.0.0.1')).toThrow(
      'invalid target "012.0.0.1": leading zeros are not allowed',
    );
  });
});

describe('target files', () => {
  it('reads one token per line with comments and blank lines', () => {
    const text = [
      '# lab hosts',
      '',
      '127.0.0.1',
      '  127.0.0.0/30   # loopback block',
      'localhost',
      '\t',
      '::1',
    ].join('\n');
    const specs = parseTargetFileText(text, 'lab.txt');
    expect(specs.map((s) => s.given)).toEqual(['127.0.0.1', '127.0.0.0/30', 'localhost', '::1']);
    expect(specs[1]!.source).toEqual({ file: 'lab.txt', line: 4 });
  });

  it('handles CRLF', () => {
    expect(parseTargetFileText('127.0.0.1\r\n127.0.0.2\r\n', 'w.txt')).toHaveLength(2);
  });

  it('names file and line of a bad token', () => {
    expect(() => parseTargetFileText('127.0.0.1\n\n012.0.0.1\n', 'targets.txt')).toThrow(
      'targets.txt:3: invalid target "012.0.0.1": leading zeros are not allowed',
    );
  });

  it('rejects two tokens on a line', () => {
    const err = (() => {
      try {
        parseTargetFileText('127.0.0.1 127.0.0.2', 't.txt');
      } catch (e) {
        return e as TargetParseError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TargetParseError);
    expect(err!.source).toEqual({ file: 't.txt', line: 1 });
    expect(err!.message).toMatch(/one target per line/);
  });
});
