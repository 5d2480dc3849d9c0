import { UsageError } from '../usage-error.js';
import { parseLocalArgs } from './local-args.js';

describe('parseLocalArgs (PortQry local mode)', () => {
  it('parses -local, -v and a log', () => {
    expect(parseLocalArgs(['-local'])).toEqual({ mode: 'local', verbose: false, overwriteLog: false });
    expect(parseLocalArgs(['-LOCAL', '-v', '-l', 'out.log', '-y'])).toMatchObject({
      mode: 'local',
      verbose: true,
      logFile: 'out.log',
      overwriteLog: true,
    });
  });

  it('parses watches with the default and explicit -wt', () => {
    expect(parseLocalArgs(['-wport', '80'])).toMatchObject({
      mode: 'watch',
      target: { port: 80 },
      intervalSeconds: 60,
    });
    expect(parseLocalArgs(['-wpid', '1234', '-wt', '1200', '-v'])).toMatchObject({
      target: { pid: 1234 },
      intervalSeconds: 1200,
      verbose: true,
    });
    expect(parseLocalArgs(['-wt', '1', '-wport', '65535'])).toMatchObject({ intervalSeconds: 1 });
  });

  it('accepts the watch forms PortQry documents with -local in front', () => {
    expect(parseLocalArgs(['-local', '-wport', '80'])).toMatchObject({ mode: 'watch', target: { port: 80 } });
    expect(parseLocalArgs(['-LOCAL', '-wpid', '42', '-wt', '2'])).toMatchObject({
      mode: 'watch',
      target: { pid: 42 },
      intervalSeconds: 2,
    });
  });

  it.each([
    [['-wt', '10'], /^-wt: only valid together with -wport or -wpid$/],
    [['-local', '-wt', '10'], /^-wt: only valid together with -wport or -wpid$/],
    [['-wport', '80', '-wt', '0'], /^-wt: "0" is not a number of seconds from 1 to 1200$/],
    [['-wport', '80', '-wt', '1201'], /^-wt: "1201" is not a number/],
    [['-wport', '80', '-wt', '1.5'], /^-wt: "1.5" is not a number/],
    [['-wport', '80', '-wt', 'abc'], /^-wt: "abc" is not a number/],
    [['-wport', '80', '-wt'], /^-wt: a value is required$/],
    [['-wport', '80', '-wt', '-5'], /^-wt: a value is required$/],
    [['-wport', '0'], /^-wport: "0" is not a port number from 1 to 65535$/],
    [['-wport', '65536'], /^-wport: "65536" is not a port/],
    [['-wpid', 'x'], /^-wpid: "x" is not a process ID$/],
    [['-wpid', '0'], /^-wpid: "0" is not a process ID$/],
    [['-wport', '80', '-wpid', '1'], /^-wport and -wpid: use only one of/],
    [['-v'], /^-v: only valid together with -local, -wport or -wpid$/],
    [['-local', '-y'], /^-y: only valid together with -l$/],
    [['-local', '-local'], /^-local: given more than once$/],
    [['-local', '-n', 'host'], /^-n: not valid in local mode/],
    [['-local', 'stray'], /^unexpected "stray"/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseLocalArgs(argv)).toThrow(UsageError);
    expect(() => parseLocalArgs(argv)).toThrow(message);
  });
});
