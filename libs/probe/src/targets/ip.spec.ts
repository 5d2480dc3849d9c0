import fc from 'fast-check';
import ipaddr from 'ipaddr.js';

import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip.js';

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
