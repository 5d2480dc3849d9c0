import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadGroundTruth, runCli, type HostTruth } from './run-cli.js';

/** PortQry-compatible mode against lab hosts chosen by role from the ground truth (not by address). */
const truth = loadGroundTruth();
const find = (what: string, pred: (h: HostTruth) => boolean): HostTruth => {
  const h = truth.hosts.find(pred);
  if (!h) throw new Error(`the lab has no host that ${what}`);
  return h;
};
const ssh = find('runs OpenSSH', (h) => (h.banners['tcp/22'] ?? '').includes('OpenSSH'));
const publicAgent = find(
  'answers SNMP public',
  (h) => h.snmp?.versions.includes('v2c') === true && 'public' in h.snmp.communities,
);
const dropped = find('drops TCP 21', (h) => h.filteredTcp.includes(21));
const closed23 = find('has TCP 23 closed', (h) => !h.openTcp.includes(23) && !h.filteredTcp.includes(23));
const ldap = find('runs slapd', (h) => h.openTcp.includes(389));

describe('fleetqry -n (PortQry mode) on the fleet lab', () => {
  it('prints PortQry layout with the SSH banner', async () => {
    const r = await runCli(['-n', ssh.address, '-e', '22', '-nr']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Querying target system called:\n\n ${ssh.address}\n\nquerying...`);
    expect(r.stdout).toContain('TCP port 22 (ssh service): LISTENING');
    expect(r.stdout).toContain(ssh.banners['tcp/22']);
  });

  it('resolves the address to its name through the lab DNS server unless -nr', async () => {
    const r = await runCli(['-n', ssh.address, '-e', '22', '--dns-server', truth.dnsServer]);
    expect(r.stdout).toContain(`IP address resolved to ${ssh.name}`);
    const byName = await runCli(['-n', ssh.name, '-e', '22', '--dns-server', truth.dnsServer]);
    expect(byName.stdout).toContain(`Name resolved to ${ssh.address}`);
    expect(byName.stdout).toContain('TCP port 22 (ssh service): LISTENING');
  });

  it('shows the SNMP sequence: LISTENING or FILTERED, the query, then LISTENING; a wrong community reads FILTERED', async () => {
    const ok = await runCli(['-n', publicAgent.address, '-p', 'udp', '-e', '161', '-cn', '!public!', '-nr']);
    // PortQry's own lines (KB 832919's sample, see apps/cli/README.md), in its order
    expect(ok.stdout).toMatch(
      /UDP port 161 \(snmp service\): LISTENING or FILTERED\n\ncommunity name for query:\n\npublic\n\nSending SNMP query to UDP port 161\.\.\.\n\n[\s\S]*sysName: [\s\S]*\nUDP port 161 is LISTENING\n/,
    );
    const wrong = await runCli([
      '-n',
      publicAgent.address,
      '-p',
      'udp',
      '-e',
      '161',
      '-cn',
      '!not-the-community!',
      '-nr',
    ]);
    expect(wrong.stdout).toMatch(
      /UDP port 161 \(snmp service\): LISTENING or FILTERED\n[\s\S]*\nUDP port 161 is FILTERED\n/,
    );
    expect(wrong.stdout).not.toContain('not-the-community');
  });

  it('-o queries and prints the ports in the order given, repeats included; -r ascending', async () => {
    const listed = await runCli(['-n', ldap.address, '-o', '389,21,23,21', '-nr']);
    const order = [...listed.stdout.matchAll(/^TCP port (\d+) /gm)].map((m) => Number(m[1]));
    expect(order).toEqual([389, 21, 23, 21]);
    const range = await runCli(['-n', ldap.address, '-r', '20:23', '-nr']);
    expect([...range.stdout.matchAll(/^TCP port (\d+) /gm)].map((m) => Number(m[1]))).toEqual([
      20, 21, 22, 23,
    ]);
  });

  it('prints every rootDSE attribute for LDAP', async () => {
    const r = await runCli(['-n', ldap.address, '-e', '389', '-nr']);
    expect(r.stdout).toContain('TCP port 389 (ldap service): LISTENING');
    expect(r.stdout).toMatch(/namingContexts: dc=lab,dc=example/);
    expect(r.stdout).toMatch(/supportedLDAPVersion: 3/);
  });

  it('-q exits 0 LISTENING, 1 NOT LISTENING, 2 FILTERED, printing nothing', async () => {
    const listening = await runCli(['-n', ssh.address, '-e', '22', '-nr', '-q']);
    const notListening = await runCli(['-n', closed23.address, '-e', '23', '-nr', '-q']);
    const filtered = await runCli(['-n', dropped.address, '-e', '21', '-nr', '-q']);
    expect([listening.code, notListening.code, filtered.code]).toEqual([0, 1, 2]);
    expect(listening.stdout + notListening.stdout + filtered.stdout).toBe('');
  });

  it('writes a PortQry log with -l, refuses to overwrite it without -y, and masks the community', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-log-'));
    const log = join(dir, 'portqry.log');
    const first = await runCli([
      '-n',
      publicAgent.address,
      '-p',
      'udp',
      '-e',
      '161',
      '-cn',
      '!public!',
      '-nr',
      '-l',
      log,
    ]);
    expect(first.code).toBe(0);
    const text = readFileSync(log, 'utf8');
    expect(text).toMatch(/^PortQry Version 2\.0 Log File/);
    expect(text).toContain('-cn !*****!');
    expect(text).toContain('UDP port 161 is LISTENING');
    expect(text).toContain('community name for query:\n\n*****\n');
    expect(text).not.toMatch(/community name: public|^public$/m);
    expect(text).toMatch(/======== end of log file ========\n$/);
    writeFileSync(log, 'keep me');
    const again = await runCli(['-n', ssh.address, '-e', '22', '-nr', '-l', log]);
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/-l: log file .* already exists; add -y to overwrite it/);
    expect(readFileSync(log, 'utf8')).toBe('keep me');
    const overwrite = await runCli(['-n', ssh.address, '-e', '22', '-nr', '-l', log, '-y']);
    expect(overwrite.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain('TCP port 22 (ssh service): LISTENING');
  });
});
