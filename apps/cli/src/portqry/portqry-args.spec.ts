import { UsageError } from '../usage-error.js';
import { isPortqryArgv, parsePortqryArgs } from './portqry-args.js';

describe('isPortqryArgv', () => {
  it('recognises PortQry switches and leaves subcommands alone', () => {
    expect(isPortqryArgv(['-n', 'host'])).toBe(true);
    expect(isPortqryArgv(['-N', 'host'])).toBe(true);
    expect(isPortqryArgv(['-local'])).toBe(true);
    expect(isPortqryArgv(['query', '--targets', 'x'])).toBe(false);
    expect(isPortqryArgv(['--help'])).toBe(false);
    expect(isPortqryArgv([])).toBe(false);
  });
});

describe('parsePortqryArgs', () => {
  it('defaults to TCP port 80, as PortQry', () => {
    expect(parsePortqryArgs(['-n', '127.0.0.1'])).toMatchObject({
      host: '127.0.0.1',
      ports: '80',
      protocol: 'tcp',
      quiet: false,
    });
  });

  it('reads every PortQry switch', () => {
    const a = parsePortqryArgs([
      '-n',
      'h',
      '-p',
      'BOTH',
      '-r',
      '10:20',
      '-sp',
      '5000',
      '-sl',
      '-cn',
      '!pub lic!',
      '-nr',
      '-q',
      '-l',
      'x.log',
      '-y',
    ]);
    expect(a).toEqual({
      host: 'h',
      ports: '10-20',
      protocol: 'both',
      sourcePort: 5000,
      slowLink: true,
      community: 'pub lic',
      noReverse: true,
      quiet: true,
      logFile: 'x.log',
      overwriteLog: true,
      dnsServers: [],
    });
    expect(parsePortqryArgs(['-n', 'h', '-o', '53,80,443']).ports).toBe('53,80,443');
    expect(parsePortqryArgs(['-n', 'h', '-e', '389', '--dns-server', '127.0.0.1']).dnsServers).toEqual([
      '127.0.0.1',
    ]);
  });

  it.each([
    [['-e', '80'], /^-n: the host to query is required/],
    [['-n', 'h', '-e', '0'], /^-e: .*"0"/],
    [['-n', 'h', '-e', '65536'], /^-e: .*"65536"/],
    [['-n', 'h', '-e', 'http'], /^-e: .*"http"/],
    [['-n', 'h', '-r', '100:10'], /^-r: .*"100:10".*before its start/],
    [['-n', 'h', '-r', '10-100'], /^-r: .*"10-100".*colon/],
    [['-n', 'h', '-o', '53,,80'], /^-o: .*empty item/],
    [['-n', 'h', '-e', '80', '-o', '53'], /^-e and -o: use only one of/],
    [['-n', 'h', '-p', 'icmp'], /^-p: "icmp" is not one of tcp, udp, both/],
    [['-n', 'h', '-x'], /^unknown switch "-x"/],
    [['-n'], /^-n: a value is required/],
    [['-n', 'h', '-y'], /^-y: only valid together with -l/],
    [['-n', 'h', '-n', 'g'], /^-n: given more than once/],
    [['-local'], /local mode is not available yet/],
  ])('rejects %j', (argv, message) => {
    expect(() => parsePortqryArgs(argv)).toThrow(UsageError);
    expect(() => parsePortqryArgs(argv)).toThrow(message);
  });

  it('never echoes a community in its errors', () => {
    for (const bad of ['public', '!public', 'public!', '!!']) {
      try {
        parsePortqryArgs(['-n', 'h', '-cn', bad]);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        expect((e as Error).message).not.toContain('public');
        expect((e as Error).message).toMatch(/^-cn: the community must be enclosed in ! characters/);
      }
    }
  });
});
