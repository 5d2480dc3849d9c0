import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runCli } from './run-cli.js';

/** Bad input: one clear line naming the problem on stderr, exit 64, nothing on stdout (nothing probed). */
const dir = mkdtempSync(join(tmpdir(), 'fleetqry-bad-'));
const targetsFile = join(dir, 'targets.txt');
writeFileSync(targetsFile, '127.0.0.1\n# comment\n127.0.0.300\n');

const q = (...args: string[]) => ['query', '--no-progress', '-nr', ...args];

describe.each([
  ['bad target', q('-t', '012.0.0.1', '--tcp', '80'), /invalid target "012\.0\.0\.1"/],
  ['short form', q('-t', '127.1', '--tcp', '80'), /invalid target "127\.1"/],
  ['prefix /33', q('-t', '127.0.0.1/33', '--tcp', '80'), /invalid target "127\.0\.0\.1\/33"/],
  ['reversed range', q('-t', '127.0.0.20-10', '--tcp', '80'), /invalid target "127\.0\.0\.20-10"/],
  ['port 0', q('-t', '127.0.0.1', '--tcp', '0'), /"0"/],
  ['port 65536', q('-t', '127.0.0.1', '--tcp', '65536'), /"65536"/],
  ['reversed ports', q('-t', '127.0.0.1', '--tcp', '100-10'), /"100-10"/],
  ['unknown group', q('-t', '127.0.0.1', '-g', 'no-such-group'), /no-such-group/],
  [
    'empty communities file',
    q('-t', '127.0.0.1', '--udp', '161', '--communities-file', '/dev/null'),
    /--communities-file \/dev\/null: no community in it/,
  ],
  [
    'empty community',
    q('-t', '127.0.0.1', '--udp', '161', '--communities', 'public,'),
    /--communities: community #2 is empty/,
  ],
  [
    'unreadable file',
    q('--targets-file', join(dir, 'missing.txt'), '--tcp', '80'),
    /targets file .*missing\.txt: cannot read it \(ENOENT\)/,
  ],
  [
    'bad line in targets file',
    q('--targets-file', targetsFile, '--tcp', '80'),
    /targets\.txt:3: invalid target "127\.0\.0\.300"/,
  ],
  ['out of scope', q('-t', '192.0.2.1', '--tcp', '80'), /192\.0\.2\.1.*outside the scope allowlist/],
  [
    'too many hosts',
    q('-t', '127.0.0.0/8', '--tcp', '80', '--max-hosts', '256'),
    /16777216.*256|256.*16777216/,
  ],
  ['bad format', q('-t', '127.0.0.1', '--tcp', '80', '--format', 'xml'), /--format: "xml" is not one of/],
  ['PortQry: port 0', ['-n', '127.0.0.1', '-e', '0'], /^fleetqry: -e: /],
  [
    'PortQry: out of scope',
    ['-n', '198.51.100.7', '-e', '80', '-nr'],
    /198\.51\.100\.7.*outside the scope allowlist/,
  ],
])('%s', (_name, args, message) => {
  it('fails with a usage error naming the problem, having probed nothing', async () => {
    const r = await runCli(args);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('communities in errors', () => {
  it.each([
    ['control character', 'bad\u0001community'],
    ['overlong', 'x'.repeat(300)],
  ])('rejects a %s community without echoing it', async (_name, community) => {
    const r = await runCli(q('-t', '127.0.0.1', '--udp', '161', '--communities', community));
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^fleetqry: communities: SNMP community #1: community/);
    expect(r.stderr).not.toContain(community);
  });
});
