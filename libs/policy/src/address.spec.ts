import {
  addressKey,
  canonicalAddress,
  compareAddresses,
  parseAddress,
  parseAddressSelector,
} from './address.js';

describe('policy addresses', () => {
  it('are canonical text, an IPv4-mapped address as its IPv4 host', () => {
    expect(canonicalAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalAddress('::FFFF:a00:1')).toBe('10.0.0.1');
    expect(canonicalAddress(' 10.0.0.1 ')).toBe('10.0.0.1');
    expect(canonicalAddress('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalAddress('0:0::1')).toBe('::1');
    expect(canonicalAddress('Web-1.Example ')).toBe('web-1.example');
    expect(addressKey('web-1')).toBeUndefined();
    expect(parseAddress('::ffff:10.0.0.1')).toEqual(parseAddress('10.0.0.1'));
  });

  it.each([
    '012.0.0.1',
    '0x7f.0.0.1',
    '127.1',
    '::ffff:010.0.0.1',
    '::ffff:0x7f.0.0.1',
    'fe80::1%eth0',
    '1.2.3.4.5',
  ])('are strict: %s is not one', (text) => {
    expect(parseAddress(text)).toBeUndefined();
    expect(() => parseAddressSelector(text)).toThrow(`"${text}" is not an IPv4/IPv6 address or CIDR`);
  });

  it('order numerically, IPv4 (mapped included) before IPv6, non-addresses last by text', () => {
    const sorted = ['b-host', '::1', '10.0.0.10', 'a-host', '::ffff:10.0.0.2', '10.0.0.9'].sort(
      compareAddresses,
    );
    expect(sorted).toEqual(['::ffff:10.0.0.2', '10.0.0.9', '10.0.0.10', '::1', 'a-host', 'b-host']);
  });
});

describe('parseAddressSelector', () => {
  it('contains addresses of its block under any spelling, never across families', () => {
    const s = parseAddressSelector('10.0.0.5/24');
    expect(s.prefix).toBe(24);
    expect(['10.0.0.0', '10.0.0.255', '::ffff:10.0.0.7'].map((a) => s.contains(a))).toEqual([
      true,
      true,
      true,
    ]);
    expect(['10.0.1.0', '9.255.255.255', '::a00:7', 'web-1'].map((a) => s.contains(a))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    const v6 = parseAddressSelector('::/0');
    expect([v6.contains('2001:db8::1'), v6.contains('10.0.0.1'), v6.contains('::ffff:10.0.0.1')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(parseAddressSelector('0.0.0.0/0').contains('255.255.255.255')).toBe(true);
  });

  it('treats a single address as a full-width block', () => {
    expect(parseAddressSelector('10.0.0.1').prefix).toBe(32);
    expect(parseAddressSelector('2001:db8::1').prefix).toBe(128);
    expect(parseAddressSelector('::ffff:10.0.0.1').prefix).toBe(32);
    expect(parseAddressSelector('::ffff:10.0.0.1').contains('10.0.0.1')).toBe(true);
    expect(parseAddressSelector('10.0.0.1').contains('10.0.0.2')).toBe(false);
  });

  it('reads an IPv4-mapped CIDR as the IPv4 block it covers', () => {
    const s = parseAddressSelector('::ffff:10.0.0.0/104');
    expect(s.prefix).toBe(8);
    expect([s.contains('10.255.0.1'), s.contains('11.0.0.1')]).toEqual([true, false]);
    expect(() => parseAddressSelector('::ffff:10.0.0.0/8')).toThrow(
      '"::ffff:10.0.0.0/8": an IPv4-mapped prefix must be 96-128',
    );
  });

  it.each(['10.0.0.0/33', '10.0.0.0/024', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '::/129'])(
    'rejects the prefix of %s',
    (text) => {
      expect(() => parseAddressSelector(text)).toThrow(/prefix must be 0-(32|128)$/);
    },
  );
});
