import { PortParseError, ProtocolChoiceError } from './errors.js';
import {
  parsePortQryEndpoint,
  parsePortQryList,
  parsePortQryRange,
  parsePorts,
  parsePortSpec,
} from './parse.js';
import { parseProtocolChoice, protosOf } from './protocol.js';
import { describePort, serviceLabel, serviceName, servicePort } from './services.js';

function rejection(fn: () => unknown): PortParseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PortParseError);
    return err as PortParseError;
  }
  throw new Error('expected a PortParseError');
}

describe('PortQry switch forms', () => {
  it('-e 80', () => {
    expect(parsePortQryEndpoint('80').toArray()).toEqual([80]);
    expect(parsePortQryEndpoint('65535').toArray()).toEqual([65535]);
  });

  it('-r 10:100 (colon)', () => {
    const set = parsePortQryRange('10:100');
    expect(set.size).toBe(91);
    expect(set.toString()).toBe('10-100');
    expect(parsePortQryRange('7:7').toArray()).toEqual([7]);
  });

  it('-o 53,80,443 (sorted, unique)', () => {
    expect(parsePortQryList('443,53,80,53').toArray()).toEqual([53, 80, 443]);
  });

  it.each([
    [() => parsePortQryEndpoint('0'), '0', /out of range 1-65535/],
    [() => parsePortQryEndpoint('65536'), '65536', /out of range/],
    [() => parsePortQryEndpoint('-1'), '-1', /not a port number/],
    [() => parsePortQryEndpoint('abc'), 'abc', /not a port number/],
    [() => parsePortQryEndpoint(''), '', /empty/],
    [() => parsePortQryEndpoint('080'), '080', /leading zeros/],
    [() => parsePortQryRange('10:5'), '10:5', /before its start/],
    [() => parsePortQryRange('10-100'), '10-100', /colon/],
    [() => parsePortQryRange('10:'), '10:', /end is missing/],
    [() => parsePortQryRange(':10'), ':10', /start is missing/],
    [() => parsePortQryRange(''), '', /empty/],
    [() => parsePortQryList('53,,80'), '53,,80', /empty item/],
    [() => parsePortQryList('53,ldap'), 'ldap', /not a port number/],
    [() => parsePortQryList(''), '', /empty/],
  ])('rejects %#: %s', (fn, token, reason) => {
    const err = rejection(fn);
    expect(err.token).toBe(token);
    expect(err.message).toContain(`invalid port "${token}"`);
    expect(err.message).toMatch(reason);
  });
});

describe('fleet form', () => {
  it('"1-1024,3389,ldap"', () => {
    const set = parsePorts('1-1024,3389,ldap', 'tcp');
    expect(set.size).toBe(1025);
    expect(set.toString()).toBe('1-1024,3389');
    expect(set.has(389)).toBe(true);
  });

  it('service names and aliases per protocol', () => {
    expect(parsePorts('dns,domain,msrpc,epmap,kerberos,microsoft-ds', 'tcp').toArray()).toEqual([
      53, 88, 135, 445,
    ]);
    expect(parsePorts('snmp,netbios-ns,ms-sql-m,ldap', 'udp').toArray()).toEqual([137, 161, 389, 1434]);
    expect(parsePorts('ssh,ftp,smtp,pop3,imap,http', 'tcp').toArray()).toEqual([21, 22, 25, 80, 110, 143]);
    expect(parsePorts('LDAP', 'tcp').toArray()).toEqual([389]);
  });

  it('accepts colon ranges, spaces around items and merges overlaps', () => {
    expect(parsePorts(' 10:20 , 15-30, 31 ', 'tcp').toString()).toBe('10-31');
    expect(parsePorts('1-65535', 'udp').size).toBe(65535);
  });

  it('a name missing on the requested protocol is an error naming it', () => {
    expect(() => parsePorts('snmp', 'tcp')).toThrow(
      'invalid port "snmp": service "snmp" has no tcp port (it is udp 161)',
    );
  });

  it('binds names per protocol once parsed', () => {
    const spec = parsePortSpec('80,snmp');
    expect(spec.forProto('udp').toArray()).toEqual([80, 161]);
    expect(spec.forProto('tcp', true).toArray()).toEqual([80]);
    expect(parsePortSpec('snmp').protos()).toEqual(['udp']);
  });

  it.each([
    ['0', '0', /out of range 1-65535/],
    ['65536', '65536', /out of range/],
    ['99999999999', '99999999999', /out of range/],
    ['-1', '-1', /negative/],
    ['abc', 'abc', /unknown service name "abc"/],
    ['10:5', '10:5', /range end 5 is before its start 10/],
    ['10-5', '10-5', /before its start/],
    ['1-', '1-', /range end is missing/],
    ['1-2-3', '1-2-3', /more than one/],
    ['', '', /empty port list/],
    ['80,', '80,', /empty item/],
    ['80,,443', '80,,443', /empty item/],
    ['08', '08', /leading zeros/],
    ['1-abc', '1-abc', /not a port number/],
    ['http!', 'http!', /not a port, range or service name/],
    ['0-10', '0-10', /out of range/],
  ])('rejects %j', (text, token, reason) => {
    const err = rejection(() => parsePorts(text, 'tcp'));
    expect(err.token).toBe(token);
    expect(err.message).toMatch(reason);
  });
});

describe('service table', () => {
  it('names ports like PortQry prints them', () => {
    expect(describePort(80, 'tcp')).toBe('TCP port 80 (http service)');
    expect(describePort(135, 'udp')).toBe('UDP port 135 (epmap service)');
    expect(describePort(53, 'udp')).toBe('UDP port 53 (domain service)');
    expect(describePort(3268, 'tcp')).toBe('TCP port 3268 (msft-gc service)');
    expect(describePort(2024, 'tcp')).toBe('TCP port 2024 (unknown service)');
    expect(serviceLabel(161, 'tcp')).toBe('unknown service');
    expect(serviceName(137, 'udp')).toBe('netbios-ns');
    expect(servicePort('ms-sql-m', 'udp')).toBe(1434);
    expect(servicePort('nope', 'udp')).toBeUndefined();
  });
});

describe('protocol choice', () => {
  it('tcp|udp|both, case-insensitive', () => {
    expect(parseProtocolChoice('TCP')).toBe('tcp');
    expect(protosOf(parseProtocolChoice('both'))).toEqual(['tcp', 'udp']);
    expect(protosOf('udp')).toEqual(['udp']);
    expect(() => parseProtocolChoice('icmp')).toThrow(ProtocolChoiceError);
    expect(() => parseProtocolChoice('icmp')).toThrow('invalid protocol "icmp": expected tcp, udp or both');
  });
});
