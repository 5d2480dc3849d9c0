import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ReportSchema } from '@fleetqry/contracts';

import { loadGroundTruth, runCli } from './run-cli.js';

/**
 * The embedded sweep with names that do not resolve: names under the lab's domain, which the lab's dnsmasq
 * answers NXDOMAIN for, resolved through the lab's config (never the machine's resolver). When no name
 * resolves the run is failed at once with the plan failures, nothing is probed and no report is printed
 * (exit 4); `fleetqry report` shows the failed run with them. When some resolve, the run goes on and keeps
 * the others as its plan failures.
 */
const truth = loadGroundTruth();
const LAB_CONFIG = join(process.env.LAB_STATE ?? '/tmp/fleetqry-lab', 'fleetqry.config.yaml');
const dir = mkdtempSync(join(tmpdir(), 'fleetqry-unresolvable-'));
const dataDir = join(dir, 'store');
const absent = (label: string) => `fq-absent-${label}.${truth.domain}`;
const present = truth.hosts.find((h) => h.openTcp.length > 0)!;

function inventory(name: string, targets: string[]): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\ntargets:\n${targets.map((t) => `  - ${t}\n`).join('')}ports:\n  tcp: "${present.openTcp[0]}"\n`,
  );
  return file;
}

const sweep = (file: string) =>
  runCli(
    [
      'sweep',
      '--inventory',
      file,
      '--config',
      LAB_CONFIG,
      '--data-dir',
      dataDir,
      '-nr',
      '--format',
      'json',
      '--no-progress',
    ],
    { timeoutMs: 120_000 },
  );

async function report(run: number, format: 'json' | 'text') {
  const r = await runCli(['report', '--run', String(run), '--data-dir', dataDir, '--format', format]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fleetqry sweep with names that do not resolve (lab dnsmasq: NXDOMAIN)', () => {
  it('no name resolves: the run is failed at once with the plan failures, stderr names them, exit 4', async () => {
    const r = await sweep(inventory('none-resolve', [absent('a'), absent('b')]));
    expect(r.stdout).toBe(''); // an empty report would read as a clean run
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      `fleetqry: run #1 failed: no target could be probed (2 failed at plan time): ` +
        `cannot resolve "${absent('a')}": no such name; cannot resolve "${absent('b')}": no such name\n` +
        `  ${absent('a')}: cannot resolve "${absent('a')}": no such name\n` +
        `  ${absent('b')}: cannot resolve "${absent('b')}": no such name\n`,
    );

    const stored = ReportSchema.parse(JSON.parse(await report(1, 'json')));
    expect(stored.run).toMatchObject({ status: 'failed', hosts: 0, totalProbes: 0, doneProbes: 0 });
    expect(stored.run.error).toMatch(/^no target could be probed \(2 failed at plan time\)/);
    expect(stored.run.planFailures).toEqual([
      { given: absent('a'), error: `cannot resolve "${absent('a')}": no such name` },
      { given: absent('b'), error: `cannot resolve "${absent('b')}": no such name` },
    ]);
    expect(stored.run.finishedAt).not.toBeNull();
    expect(stored.violations).toEqual([]);
    const text = await report(1, 'text');
    expect(text).toMatch(/^fleetqry report — run #1 \(failed\)/);
    expect(text).toContain('\nError: no target could be probed (2 failed at plan time)');
    expect(text).toContain(
      `\nTargets that could not be probed (2):\n  ${absent('a')}: cannot resolve "${absent('a')}": no such name\n`,
    );
  }, 180_000);

  it('some names resolve: the run goes on, probes them, and records the others (exit 4)', async () => {
    const r = await sweep(inventory('some-resolve', [absent('c'), present.name]));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(4); // incomplete: a target could not be probed
    const live = ReportSchema.parse(JSON.parse(r.stdout));
    expect(live.run).toMatchObject({ status: 'succeeded', hosts: 1, totalProbes: 1, doneProbes: 1 });
    expect(live.run.planFailures).toEqual([
      { given: absent('c'), error: `cannot resolve "${absent('c')}": no such name` },
    ]);
    // Listed once: in the stored run, not again as a failure found while probing.
    expect(JSON.parse(r.stdout)).not.toHaveProperty('probeFailures');
    expect(ReportSchema.parse(JSON.parse(await report(live.run.number, 'json'))).run).toEqual(live.run);
  }, 180_000);
});
