import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ReportSchema } from '@fleetqry/contracts';
import { parse } from 'csv-parse/sync';

import { loadGroundTruth, runCli } from './run-cli.js';

/** Fleet-mode results a compliance person reads: each host once, in address order, nothing skipped silently. */
const truth = loadGroundTruth();
const ssh = truth.hosts.find((h) => h.openTcp.includes(22) && Number(h.address.split('.')[3]) < 8)!;
const fragile = truth.hosts.find((h) => h !== ssh && Number(h.address.split('.')[3]) < 8)!;

describe('fleet-mode results', () => {
  it('a host listed twice in an inventory (in a block and as a tagged entry, with or without its own exclusions) is probed and reported once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-dedupe-'));
    const inventory = join(dir, 'inventory.yaml');
    writeFileSync(
      inventory,
      `name: dedupe\ntargets:\n  - ${truth.net}.0/29\n  - { address: ${ssh.address}, tags: [ssh] }\n  - ${ssh.address}\n` +
        `  - { address: ${fragile.address}, tags: [fragile], excludePorts: '80' }\nports:\n  tcp: '22,80'\n`,
    );
    const r = await runCli(
      [
        'sweep',
        '-i',
        inventory,
        '-nr',
        '--format',
        'json',
        '--no-progress',
        '--data-dir',
        join(dir, 'store'),
        '--fail-on',
        'none',
      ],
      { timeoutMs: 240_000 },
    );
    expect(r.stderr).toBe('');
    const report = ReportSchema.parse(JSON.parse(r.stdout));
    // 8 hosts × 2 ports, less the port the fragile host never gets: all of it stored, nothing twice.
    expect(report.run.hosts).toBe(8);
    expect(report.run.totalProbes).toBe(15);
    expect(report.run.doneProbes).toBe(15);
  }, 300_000);

  it('an SNMPv3-only agent that accepts no community is FILTERED (as PortQry says) with the reason snmpv3-only', async () => {
    const v3 = truth.hosts.find((h) => h.snmp?.versions.join() === 'v3')!;
    const r = await runCli([
      'query',
      '-t',
      v3.address,
      '--udp',
      '161',
      '-nr',
      '--format',
      'jsonl',
      '--no-progress',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'FILTERED', reason: 'snmpv3-only' });
    const portqry = await runCli(['-n', v3.address, '-p', 'udp', '-e', '161', '-nr']);
    expect(portqry.stdout).toMatch(
      /UDP port 161 \(snmp service\): LISTENING or FILTERED\n[\s\S]*\nUDP port 161 is FILTERED\n/,
    );
    const silent = truth.hosts.find((h) => h.filteredUdp.includes(161))!;
    const dropped = await runCli([
      'query',
      '-t',
      silent.address,
      '--udp',
      '161',
      '-nr',
      '--format',
      'jsonl',
      '--no-progress',
    ]);
    expect(JSON.parse(dropped.stdout)).toMatchObject({ state: 'FILTERED', reason: 'no-response' });
  });

  it('CSV names the accepted vendor-default communities, masks any other, and says why a v3-only agent is silent', async () => {
    const byClass = (versions: string, community?: string) =>
      truth.hosts.find(
        (h) => h.snmp?.versions.join() === versions && (!community || community in h.snmp.communities),
      )!;
    const both = truth.hosts.find(
      (h) => h.snmp && 'public' in h.snmp.communities && 'private' in h.snmp.communities,
    )!;
    const secretHost = truth.hosts.find(
      (h) => h.snmp && Object.keys(h.snmp.communities).some((c) => c !== 'public' && c !== 'private'),
    )!;
    const secret = Object.keys(secretHost.snmp!.communities)[0]!;
    const v3 = byClass('v3');
    const r = await runCli([
      'query',
      '-t',
      [both, secretHost, v3].map((h) => h.address).join(','),
      '--udp',
      '161',
      '--communities',
      `public,private,${secret}`,
      '-nr',
      '--format',
      'csv',
      '--no-progress',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(secret);
    const rows = parse<Record<string, string>>(r.stdout, { columns: true });
    const row = (address: string) => rows.find((x) => x.address === address)!;
    expect(row(both.address)).toMatchObject({
      state: 'LISTENING',
      detail: 'communities accepted: public, private',
    });
    expect(row(secretHost.address)).toMatchObject({
      state: 'LISTENING',
      detail: 'communities accepted: *****',
    });
    expect(row(v3.address)).toMatchObject({
      state: 'FILTERED',
      reason: 'snmpv3-only',
      detail: 'no community accepted',
    });
  });

  it('text output lists hosts in address order', async () => {
    const r = await runCli([
      'query',
      '-t',
      `${truth.net}.1-40`,
      '--tcp',
      '22',
      '-nr',
      '--no-queries',
      '--all',
      '--no-progress',
    ]);
    const hosts = [...r.stdout.matchAll(/^Host (\S+)/gm)].map((m) => Number(m[1]!.split('.')[3]));
    expect(hosts).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('ports removed by --exclude-ports or the config are named once in a notice', async () => {
    const r = await runCli([
      'query',
      '-t',
      ssh.address,
      '--tcp',
      '20-25,2020-2025',
      '--exclude-ports',
      '23',
      '-nr',
      '--no-queries',
      '--format',
      'csv',
      '--no-progress',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('fleetqry: not probed, excluded by configuration or options: TCP 23,2024\n');
    const ports = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[3]));
    expect(ports).toEqual([20, 21, 22, 24, 25, 2020, 2021, 2022, 2023, 2025]);
  });
});
