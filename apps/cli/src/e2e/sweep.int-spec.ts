import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ReportSchema, type Report } from '@fleetqry/contracts';
import { HtmlValidate } from 'html-validate';

import { loadGroundTruth, REPO_ROOT, runCli, type HostTruth } from './run-cli.js';

/**
 * The embedded sweep on the fleet lab: exactly the hosts answering `public` are flagged, with
 * evidence; after the lab changes (one agent stopped, another started) the delta shows them
 * resolved and new. Runs on the embedded store (PGlite) and on the machine's Postgres.
 */
const truth = loadGroundTruth();
const dir = mkdtempSync(join(tmpdir(), 'fleetqry-sweep-'));
const LAB_STATE = process.env.LAB_STATE ?? '/tmp/fleetqry-lab';
const inventory = join(dir, 'inventory.yaml');
const hostsCidr = `${truth.net}.0/26`;
writeFileSync(
  inventory,
  `name: sweep-test\ntargets:\n  - ${hostsCidr}\nports:\n  udp: "161"\nsnmp:\n  communities: [public]\n`,
);
const inCidr = (h: HostTruth) => Number(h.address.split('.')[3]) < 64;
const answersPublic = (h: HostTruth) =>
  h.snmp !== null && 'public' in h.snmp.communities && h.snmp.versions.some((v) => v === 'v1' || v === 'v2c');
const expectedPublic = truth.hosts.filter((h) => inCidr(h) && answersPublic(h)).map((h) => h.address);

async function sweep(
  ...extra: string[]
): Promise<{ code: number | null; report: Report; stages: string | undefined }> {
  const r = await runCli(
    ['sweep', '--inventory', inventory, '-nr', '--format', 'json', '--no-progress', ...extra],
    {
      timeoutMs: 240_000,
    },
  );
  // `--timings` writes one `stages:` line; anything else on stderr is a defect.
  const stages = r.stderr.match(/^stages: .*$/m)?.[0];
  const rest = r.stderr.replace(/^stages: .*\n?/m, '');
  if (rest) throw new Error(`sweep wrote to stderr: ${r.stderr}`);
  return { code: r.code, report: ReportSchema.parse(JSON.parse(r.stdout)), stages };
}

const publicHosts = (report: Report, status?: string) =>
  report.violations
    .filter((f) => f.rule === 'snmp.community.public' && (status === undefined || f.status === status))
    .map((f) => f.address)
    .sort();

function waitForAgent(address: string): void {
  for (let i = 0; i < 40; i++) {
    const r = spawnSync('snmpget', [
      '-v2c',
      '-c',
      'public',
      '-t',
      '0.3',
      '-r',
      '0',
      address,
      '1.3.6.1.2.1.1.5.0',
    ]);
    if (r.status === 0) return;
    spawnSync('sleep', ['0.25']);
  }
  throw new Error(`the test's snmpd on ${address} did not answer`);
}

describe('fleetqry sweep on the fleet lab', () => {
  const dataDir = join(dir, 'store');
  // One public agent goes away, and an agent appears on a host that had SNMP closed.
  const stopped = truth.hosts.find((h) => inCidr(h) && answersPublic(h) && h.snmp!.versions.includes('v2c'))!;
  const added = truth.hosts.find((h) => inCidr(h) && h.snmp === null && !h.filteredUdp.includes(161))!;
  let agent: ChildProcess | undefined;

  afterAll(() => {
    agent?.kill('SIGTERM');
    // Restart the stopped lab agent: `up` starts only what is missing.
    spawnSync('bash', ['tools/lab/lab.sh', 'up'], { cwd: REPO_ROOT, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('flags exactly the hosts answering public, with evidence, and exits 3', async () => {
    const { code, report } = await sweep('--data-dir', dataDir);
    expect(code).toBe(3);
    expect(publicHosts(report)).toEqual([...expectedPublic].sort());
    const one = report.violations.find((f) => f.rule === 'snmp.community.public')!;
    expect(one).toMatchObject({ severity: 'critical', status: 'new', proto: 'udp', port: 161 });
    expect(one.evidence).toMatchObject({ communities: ['public'] });
    expect(one.references).toContain('CVE-1999-0517');
    expect(report.delta.against).toBeNull();
  });

  it('shows resolved and new after the lab changes', async () => {
    const pidFile = join(LAB_STATE, 'run', `snmpd-h${stopped.address.split('.')[3]!.padStart(3, '0')}.pid`);
    const { pid, comm } = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number; comm: string };
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe(comm); // only ever the lab's own agent
    process.kill(pid, 'SIGTERM');
    const conf = join(dir, 'snmpd.conf');
    writeFileSync(conf, `rocommunity public\nsysName added-by-test\n`);
    agent = spawn(
      '/usr/sbin/snmpd',
      [
        '-f',
        '-Lo',
        '-C',
        '-c',
        conf,
        '-p',
        join(dir, 'snmpd.pid'),
        '-m',
        '',
        '-I',
        '-smux',
        `udp:${added.address}:161`,
      ],
      {
        stdio: 'ignore',
      },
    );
    waitForAgent(added.address);

    const { report } = await sweep('--data-dir', dataDir);
    expect(report.delta.against).not.toBeNull();
    expect(publicHosts(report, 'resolved')).toEqual([stopped.address]);
    expect(publicHosts(report, 'new')).toEqual([added.address]);
    expect(publicHosts(report, 'persisting')).toEqual(
      expectedPublic.filter((a) => a !== stopped.address).sort(),
    );

    const diff = await runCli(['diff', '1', '2', '--data-dir', dataDir, '--format', 'json']);
    const d = JSON.parse(diff.stdout) as { new: { address: string }[]; resolved: { address: string }[] };
    expect(d.new.map((f) => f.address)).toEqual([added.address]);
    expect(d.resolved.map((f) => f.address)).toEqual([stopped.address]);
  });

  it('reads the same store back: runs, and filtered reports in every format', async () => {
    const runs = await runCli(['runs', '--data-dir', dataDir, '--json']);
    expect(
      (JSON.parse(runs.stdout) as { number: number; status: string }[]).map((r) => [r.number, r.status]),
    ).toEqual([
      [2, 'succeeded'],
      [1, 'succeeded'],
    ]);
    const json = await runCli([
      'report',
      '--run',
      'latest',
      '--data-dir',
      dataDir,
      '--format',
      'json',
      '--status',
      'new',
    ]);
    expect(publicHosts(ReportSchema.parse(JSON.parse(json.stdout)))).toEqual([added.address]);
    const csv = await runCli([
      'report',
      '--run',
      '1',
      '--data-dir',
      dataDir,
      '--format',
      'csv',
      '--host',
      stopped.address,
    ]);
    expect(csv.stdout.split('\n')[0]).toMatch(/^rule,severity,status,host,address/);
    expect(csv.stdout).toContain(`snmp.community.public,critical,new,${stopped.address}`);
    const sarif = JSON.parse(
      (await runCli(['report', '--data-dir', dataDir, '--format', 'sarif'])).stdout,
    ) as {
      version: string;
      runs: { results: { ruleId: string; level: string }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(
      sarif.runs[0]!.results.filter((r) => r.ruleId === 'snmp.community.public').every(
        (r) => r.level === 'error',
      ),
    ).toBe(true);
    const text = await runCli(['report', '--data-dir', dataDir, '--severity', 'critical']);
    expect(text.stdout).toMatch(/Violations: \d+ on \d+ host\(s\)/);
    expect(text.stdout).toContain('snmp.community.public');
    // The auditor's HTML: valid, self-contained, both runs in the trend, the new host among the violations.
    const html = await runCli(['report', '--data-dir', dataDir, '--format', 'html']);
    expect(html.code).toBe(0);
    const validated = await new HtmlValidate({ extends: ['html-validate:recommended'] }).validateString(
      html.stdout,
    );
    expect(validated.results.flatMap((r) => r.messages.map((m) => m.message))).toEqual([]);
    expect(html.stdout).not.toMatch(/<script|<link\b|\ssrc=|\shref=/i);
    expect(html.stdout).toMatch(/>#1<\/text>[\s\S]*>#2<\/text>/);
    expect(html.stdout).toContain(`<td>${added.address}`);
  });

  it('stores the same findings in Postgres', async () => {
    const db = `fleetqry_sweep_${process.pid}_${Date.now()}`;
    spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-c', `CREATE DATABASE ${db}`], {
      stdio: 'ignore',
    });
    try {
      const { report, stages } = await sweep(
        '--database-url',
        `postgres://postgres@127.0.0.1:5432/${db}`,
        '--timings',
      );
      expect(publicHosts(report)).toEqual(
        [...expectedPublic.filter((a) => a !== stopped.address), added.address].sort(),
      );
      // Every stage (the store opens beside the probe), then the whole process.
      expect(stages).toMatch(
        /^stages: plan [\d.]+ s · store [\d.]+ s \(beside the probe\) · probe [\d.]+ s · ingest [\d.]+ s · evaluate [\d.]+ s · report [\d.]+ s · process [\d.]+ s$/,
      );
    } finally {
      spawnSync(
        'psql',
        ['-h', '127.0.0.1', '-U', 'postgres', '-c', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`],
        { stdio: 'ignore' },
      );
    }
  });
});

describe('sweep input errors', () => {
  it.each([
    [
      'a missing inventory',
      ['--inventory', '/nonexistent/inv.yaml'],
      /inventory \/nonexistent\/inv\.yaml: cannot read it \(ENOENT\)/,
    ],
    [
      'an unknown policy',
      ['--inventory', 'examples/inventory.yaml', '--policy', 'no-such-policy'],
      /policy "no-such-policy": neither a built-in policy/,
    ],
  ])('%s is a usage error (64)', async (_name, args, message) => {
    const r = await runCli(['sweep', ...args, '-nr', '--data-dir', join(tmpdir(), 'fleetqry-never-created')]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(message);
  });

  it('names the bad field of an inventory', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'fleetqry-inv-')), 'bad.yaml');
    writeFileSync(
      bad,
      'targets: [127.0.0.1]\nports: { tcp: 80, udp: "161" }\nsnmp: { communitys: [public] }\n',
    );
    const r = await runCli([
      'sweep',
      '--inventory',
      bad,
      '-nr',
      '--data-dir',
      join(tmpdir(), 'fleetqry-never-created'),
    ]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/ports\.tcp: /);
    expect(r.stderr).toMatch(/snmp: .*communitys/);
  });
});
