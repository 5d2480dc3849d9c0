import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ObservationSchema } from '@fleetqry/contracts';

import { loadGroundTruth, runCli } from './run-cli.js';

/** Fleet mode behaviour beyond states: names, IPv6, output records, exit codes, formats. */
const truth = loadGroundTruth();
const ssh = truth.hosts.find((h) => (h.banners['tcp/22'] ?? '').startsWith('SSH-2.0-OpenSSH'))!;

describe('fleetqry query', () => {
  it('resolves names through --dns-server and reports them as the host', async () => {
    const r = await runCli([
      'query',
      '-t',
      ssh.name,
      '--tcp',
      '22',
      '--dns-server',
      truth.dnsServer,
      '--format',
      'jsonl',
      '--no-progress',
    ]);
    expect(r.code).toBe(0);
    const obs = ObservationSchema.parse(JSON.parse(r.stdout));
    expect(obs).toMatchObject({
      host: ssh.name,
      address: ssh.address,
      proto: 'tcp',
      port: 22,
      state: 'LISTENING',
    });
  });

  it('reverse-resolves literal targets unless -nr', async () => {
    const r = await runCli([
      'query',
      '-t',
      ssh.address,
      '--tcp',
      '22',
      '--dns-server',
      truth.dnsServer,
      '--format',
      'jsonl',
      '--no-progress',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ host: ssh.name, address: ssh.address });
  });

  it('exits 4 when a target cannot be resolved, and still probes the rest', async () => {
    const r = await runCli([
      'query',
      '-t',
      `no-such-host.${truth.domain},${ssh.address}`,
      '--tcp',
      '22',
      '--dns-server',
      truth.dnsServer,
      '-nr',
      '--format',
      'jsonl',
      '--no-progress',
    ]);
    expect(r.code).toBe(4);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => 'error' in l)).toMatchObject({ host: `no-such-host.${truth.domain}` });
    expect(lines.find((l) => l.address === ssh.address)).toMatchObject({ state: 'LISTENING' });
  });

  it('takes PortQryUI group names as written and custom groups from --groups-file', async () => {
    const web = truth.hosts.find((h) => h.openTcp.includes(80) && h.openTcp.includes(443))!;
    const byTitle = await runCli([
      'query',
      '-t',
      web.address,
      '--groups',
      'Web Service',
      '-nr',
      '--no-queries',
      '--format',
      'csv',
      '--no-progress',
    ]);
    expect(byTitle.code).toBe(0);
    expect(byTitle.stdout).toContain(`${web.address},tcp,80,http,LISTENING`);
    expect(byTitle.stdout).toContain(`${web.address},tcp,443,https,LISTENING`);
    const spaced = await runCli([
      'query',
      '-t',
      web.address,
      '--groups',
      '  web   SERVICE ,IP Security',
      '-nr',
      '--no-queries',
      '--format',
      'csv',
      '--no-progress',
    ]);
    // CSV rows stream as probes finish (TCP and UDP in any order): the set of cells is what the names ask.
    expect(
      spaced.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').slice(2, 4).join('/'))
        .sort(),
    ).toEqual(['tcp/443', 'tcp/80', 'udp/4500', 'udp/500']);
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-groups-'));
    const file = join(dir, 'groups.yaml');
    writeFileSync(file, 'groups:\n  lab-ssh:\n    tcp: 22\n');
    const custom = await runCli([
      'query',
      '-t',
      ssh.address,
      '--groups',
      'lab-ssh',
      '--groups-file',
      file,
      '-nr',
      '--no-queries',
      '--format',
      'csv',
      '--no-progress',
    ]);
    expect(custom.code).toBe(0);
    expect(custom.stdout).toContain(`${ssh.address},tcp,22,ssh,LISTENING`);
    const unknown = await runCli(['query', '-t', ssh.address, '--groups', 'lab-ssh', '-nr', '--no-progress']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown service group "lab-ssh"/);
  });

  it('probes IPv6 loopback', async () => {
    const r = await runCli([
      'query',
      '-t',
      '::1',
      '--tcp',
      '6379',
      '-nr',
      '--format',
      'jsonl',
      '--no-queries',
      '--no-progress',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ address: '::1', port: 6379, state: 'LISTENING' });
  });

  it('emits records that validate against the shared Observation schema, in every format', async () => {
    const base = ['query', '-t', `${ssh.address}`, '--tcp', '21-23', '--udp', '161', '-nr', '--no-progress'];
    const jsonl = await runCli([...base, '--format', 'jsonl']);
    for (const line of jsonl.stdout.trim().split('\n')) ObservationSchema.parse(JSON.parse(line));
    const json = await runCli([...base, '--format', 'json']);
    const doc = JSON.parse(json.stdout) as { summary: { observations: number }; observations: unknown[] };
    expect(doc.observations).toHaveLength(4);
    doc.observations.forEach((o) => ObservationSchema.parse(o));
    const csv = await runCli([...base, '--format', 'csv']);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe(
      'host,address,proto,port,service,state,reason,rttMs,protocol,status,banner,detail,error',
    );
    expect(rows).toHaveLength(5);
    const text = await runCli([...base, '--format', 'text', '--all']);
    expect(text.stdout).toContain(`Host ${ssh.address}`);
    expect(text.stdout).toContain('TCP port 22 (ssh service): LISTENING');
  });

  it('filters output by state without changing what is probed', async () => {
    const r = await runCli([
      'query',
      '-t',
      ssh.address,
      '--tcp',
      '1-100',
      '-nr',
      '--states',
      'LISTENING',
      '--format',
      'json',
      '--no-progress',
    ]);
    const doc = JSON.parse(r.stdout) as {
      summary: { observations: number };
      observations: { state: string }[];
    };
    expect(doc.summary.observations).toBe(100);
    expect(doc.observations.every((o) => o.state === 'LISTENING')).toBe(true);
    expect(doc.observations.length).toBe(ssh.openTcp.filter((p) => p <= 100).length);
  });

  it('stops quietly with the SIGPIPE status when the reader goes away (`| head -1`)', async () => {
    const r = await runCli(
      [
        'query',
        '-t',
        '127.30.0.1-64',
        '--tcp',
        '1-1024',
        '--exclude-ports',
        '2024',
        '-nr',
        '--no-queries',
        '--format',
        'jsonl',
        '--no-progress',
      ],
      { closeStdoutAfterFirstLine: true },
    );
    expect(r.code).toBe(141);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.stdout.split('\n')[0]).toMatch(/^\{"host"/);
  });
});
