import fc from 'fast-check';
import ipaddr from 'ipaddr.js';

import {
  canonicalIp,
  cidrBlock,
  compareIp,
  formatIp,
  formatIpv4,
  formatIpv6,
  IPV4_MAX,
  parseIp,
  parseIpv4,
  parseIpv6,
  unmapIpv4,
  V4_MAPPED_FIRST,
  type IpAddress,
} from './ip.js';

describe('IP text ↔ bigint', () => {
  it('round-trips IPv4 and agrees with ipaddr.js', () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        const parsed = parseIpv4(text);
        expect(parsed).toEqual({ ok: true, value: expect.any(BigInt) });
        expect(formatIpv4((parsed as { value: bigint }).value)).toBe(ipaddr.IPv4.parse(text).toString());
      }),
    );
  });

  it('formats IPv6 as RFC 5952 and round-trips', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        const text = formatIpv6(value);
        expect(parseIpv6(text)).toEqual({ ok: true, value });
        const expected = ipaddr.IPv6.parse(text);
        expect(ipaddr.IPv6.parse(text).toNormalizedString()).toBe(expected.toNormalizedString());
        if (!text.includes('.')) expect(text).toBe(ipaddr.IPv6.parse(text).toRFC5952String());
      }),
    );
  });

  it('parses every IPv6 form fast-check generates', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const parsed = parseIpv6(text);
        expect(parsed.ok).toBe(true);
        const ours = (parsed as { value: bigint }).value;
        if (text.includes('.')) {
          // ipaddr.js reads `::a.b.c.d` as IPv4-mapped; RFC 4291 puts the dotted quad in the low 32 bits only.
          const v4 = (parseIpv4(text.slice(text.lastIndexOf(':') + 1)) as { value: bigint }).value;
          expect(ours & 0xffffffffn).toBe(v4);
          return;
        }
        const theirs = ipaddr.IPv6.parse(text)
          .toByteArray()
          .reduce((a, b) => (a << 8n) | BigInt(b), 0n);
        expect(ours).toBe(theirs);
      }),
    );
  });

  it('compresses the longest zero run only, and never a single zero group', () => {
    const groups = (...g: number[]) => g.reduce((n, x) => (n << 16n) | BigInt(x), 0n);
    expect(formatIpv6(0n)).toBe('::');
    expect(formatIpv6(groups(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1))).toBe('2001:db8:0:1::1');
    expect(formatIpv6(groups(0x2001, 0, 1, 2, 3, 4, 5, 6))).toBe('2001:0:1:2:3:4:5:6');
    expect(formatIpv6(groups(1, 0, 0, 0, 0, 0, 0, 0))).toBe('1::');
    expect(formatIpv6(groups(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1))).toBe('::ffff:127.0.0.1');
  });

  it('picks the leftmost longest zero run and does not compress one group', () => {
    expect(
      formatIpv6(
        parseIpv6('2001:db8:0:0:1:0:0:1').ok
          ? (parseIpv6('2001:db8:0:0:1:0:0:1') as { value: bigint }).value
          : 0n,
      ),
    ).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6((parseIpv6('2001:db8:0:1:1:1:1:1') as { value: bigint }).value)).toBe(
      '2001:db8:0:1:1:1:1:1',
    );
  });
});

describe('the one strict parser', () => {
  const reason = (text: string) => {
    const p = parseIp(text);
    return p.ok ? undefined : p.reason;
  };

  it('accepts both families at their boundaries', () => {
    expect(parseIp('0.0.0.0')).toEqual({ ok: true, value: { family: 4, value: 0n } });
    expect(parseIp('255.255.255.255')).toEqual({ ok: true, value: { family: 4, value: IPV4_MAX } });
    expect(parseIp('::')).toEqual({ ok: true, value: { family: 6, value: 0n } });
    expect(parseIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toEqual({
      ok: true,
      value: { family: 6, value: (1n << 128n) - 1n },
    });
    expect(parseIp('::FFFF:10.0.0.1')).toEqual({
      ok: true,
      value: { family: 6, value: V4_MAPPED_FIRST + 0x0a000001n },
    });
  });

  it.each([
    ['012.0.0.1', 'leading zeros are not allowed'],
    ['0x7f.0.0.1', 'hexadecimal octets are not allowed'],
    ['127.1', 'short-form IPv4 addresses are not allowed (write all four octets)'],
    ['1.2.3.4.5', 'an IPv4 address has exactly four octets'],
    ['256.0.0.1', 'octet 256 is out of range 0-255'],
    ['1.2.3.', 'octet is empty'],
    ['+1.2.3.4', 'octet "+1" is not a decimal number'],
    [' 1.2.3.4', 'octet " 1" is not a decimal number'],
    ['fe80::1%eth0', 'IPv6 zone ids (%) are not supported'],
    ['[::1]', 'write IPv6 addresses without brackets'],
    ['1::2::3', '"::" may appear only once'],
    ['1:2:3:4:5:6:7', 'an IPv6 address has 8 groups, found 7'],
    ['1:2:3:4::5:6:7:8', '"::" must stand for at least one zero group'],
    ['12345::', 'group "12345" is not 1-4 hexadecimal digits'],
    ['::ffff:010.0.0.1', 'embedded IPv4 address: leading zeros are not allowed'],
    [
      '::ffff:127.1',
      'embedded IPv4 address: short-form IPv4 addresses are not allowed (write all four octets)',
    ],
    ['1.2.3.4::', 'an embedded IPv4 address must come last'],
  ])('rejects %s: %s', (text, why) => {
    expect(reason(text)).toBe(why);
    expect(canonicalIp(text)).toBeUndefined();
  });

  it('reads ::a.b.c.d as RFC 4291 does (low 32 bits), not as IPv4-mapped', () => {
    expect(canonicalIp('::10.0.0.1')).toBe('::a00:1');
    expect(canonicalIp('::ffff:0a00:0001')).toBe('::ffff:10.0.0.1');
    expect(canonicalIp('0:0::1')).toBe('::1');
  });

  it('unmaps only ::ffff:0:0/96', () => {
    const ip = (text: string) => (parseIp(text) as { value: IpAddress }).value;
    expect(unmapIpv4(ip('::ffff:10.0.0.1'))).toEqual(ip('10.0.0.1'));
    expect(unmapIpv4(ip('::ffff:0.0.0.0'))).toEqual(ip('0.0.0.0'));
    expect(unmapIpv4(ip('::ffff:255.255.255.255'))).toEqual(ip('255.255.255.255'));
    expect(unmapIpv4(ip('::fffe:ffff:ffff'))).toEqual(ip('::fffe:ffff:ffff'));
    expect(unmapIpv4(ip('::1:0:0:0'))).toEqual(ip('::1:0:0:0'));
    expect(unmapIpv4(ip('10.0.0.1'))).toEqual(ip('10.0.0.1'));
  });

  it('orders IPv4 before IPv6, then numerically (not by text)', () => {
    const texts = ['::1', '10.0.0.10', '2001:db8::', '10.0.0.9', '::ffff:1.2.3.4', '9.255.255.255'];
    const sorted = texts
      .map((t) => (parseIp(t) as { value: IpAddress }).value)
      .sort(compareIp)
      .map((a) => formatIp(a.family, a.value));
    expect(sorted).toEqual(['9.255.255.255', '10.0.0.9', '10.0.0.10', '::1', '::ffff:1.2.3.4', '2001:db8::']);
    expect(compareIp({ family: 4, value: 5n }, { family: 4, value: 5n })).toBe(0);
  });

  it('finds the block of a CIDR, host bits ignored', () => {
    expect(cidrBlock(4, 0x0a000005n, 24)).toEqual({ first: 0x0a000000n, last: 0x0a0000ffn });
    expect(cidrBlock(4, 0x0a000005n, 32)).toEqual({ first: 0x0a000005n, last: 0x0a000005n });
    expect(cidrBlock(4, 0x0a000005n, 0)).toEqual({ first: 0n, last: IPV4_MAX });
    expect(cidrBlock(6, 1n, 127)).toEqual({ first: 0n, last: 1n });
    expect(cidrBlock(6, 123n, 0)).toEqual({ first: 0n, last: (1n << 128n) - 1n });
  });
});
