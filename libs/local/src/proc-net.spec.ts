import { decodeEndpoint, parseSocketTable, tcpStateName } from './proc-net.js';

describe('decodeEndpoint', () => {
  it('reads IPv4 words in host byte order', () => {
    expect(decodeEndpoint('0100007F:0050', 'ipv4', true)).toEqual({ address: '127.0.0.1', port: 80 });
    expect(decodeEndpoint('7F000001:0050', 'ipv4', false)).toEqual({ address: '127.0.0.1', port: 80 });
    expect(decodeEndpoint('00000000:FFFF', 'ipv4', true)).toEqual({ address: '0.0.0.0', port: 65535 });
  });

  it('reads IPv6 as four host-order words', () => {
    expect(decodeEndpoint('00000000000000000000000001000000:0016', 'ipv6', true)?.address).toBe('::1');
    expect(decodeEndpoint('00000000000000000000000000000001:0016', 'ipv6', false)?.address).toBe('::1');
    expect(decodeEndpoint('0000000000000000FFFF00000100007F:0050', 'ipv6', true)?.address).toBe(
      '::ffff:127.0.0.1',
    );
    // 2001:db8::8a2e:370:7334 written as the kernel does on a little-endian host
    expect(decodeEndpoint('B80D0120000000002E8A000034737003:01BB', 'ipv6', true)).toEqual({
      address: '2001:db8::8a2e:370:7334',
      port: 443,
    });
    expect(decodeEndpoint('000080FE00000000FF000000B3A2C1FE:0016', 'ipv6', true)?.address).toBe(
      'fe80::ff:fec1:a2b3',
    );
  });

  it('rejects wrong widths and bad hex', () => {
    expect(decodeEndpoint('0100007F:50', 'ipv4')).toBeUndefined();
    expect(decodeEndpoint('0100007F0:0050', 'ipv4')).toBeUndefined();
    expect(decodeEndpoint('0100007F:0050', 'ipv6')).toBeUndefined();
    expect(decodeEndpoint('0100G07F:0050', 'ipv4')).toBeUndefined();
    expect(decodeEndpoint('', 'ipv4')).toBeUndefined();
  });
});

describe('parseSocketTable', () => {
  it('maps Linux state codes to PortQry names', () => {
    expect(tcpStateName(0x0a)).toBe('LISTENING');
    expect(tcpStateName(0x01)).toBe('ESTABLISHED');
    expect(tcpStateName(0x06)).toBe('TIME_WAIT');
    expect(tcpStateName(0x0c)).toBe('SYN_RECEIVED');
    expect(tcpStateName(0x42)).toBe('UNKNOWN');
  });

  it('skips the header, counts malformed rows and keeps the good ones', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000   33        0 4242 1 0 100 0 0 10 0',
      '   1: 0100007F:0050 0100007F:9C40 01 00000000:00000000 00:00000000 00000000   33        0 4243 1 0 20 4 30 10 -1',
      '   2: 0100007F:0050',
      '   3: 0100007F:0050 00000000:0000 QQ 00000000:00000000 00:00000000 00000000   33        0 1 1',
      '   4: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000   -1        0 1 1',
      'x',
      '',
    ].join('\n');
    const t = parseSocketTable(text, 'tcp', 'ipv4', true);
    expect(t.malformed).toBe(4);
    expect(t.sockets).toEqual([
      expect.objectContaining({
        localPort: 80,
        remoteAddress: '0.0.0.0',
        state: 'LISTENING',
        uid: 33,
        inode: 4242,
      }),
      expect.objectContaining({ remoteAddress: '127.0.0.1', remotePort: 40000, state: 'ESTABLISHED' }),
    ]);
  });

  it('gives UDP sockets no state', () => {
    const t = parseSocketTable(
      '  100: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3001 2 0 0',
      'udp',
      'ipv4',
      true,
    );
    expect(t.sockets[0]).toMatchObject({ proto: 'udp', localPort: 53, state: null });
  });

  it('never throws on arbitrary bytes', () => {
    for (let i = 0; i < 200; i++) {
      const junk = Array.from({ length: 200 }, () =>
        String.fromCharCode(Math.floor(Math.random() * 128)),
      ).join('');
      expect(() => parseSocketTable(junk, 'tcp', 'ipv6')).not.toThrow();
    }
  });
});
