import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ReportSchema, type Finding } from '@fleetqry/contracts';
import { createRun, finishRun, replaceRunFindings, startRun } from '@fleetqry/store';

import { runCli } from '../testing/run-cli.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

/**
 * The CLI as an API client (`fleetqry --server URL --token T …`, the built CLI as a process) against the real
 * controller. The runs are written straight into the controller's database (no workers here), so the embedded
 * commands (`--database-url`, reading the same database) are the reference the API path must equal.
 */
describe('fleetqry --server: the CLI against the controller API', () => {
  let app: TestApp;
  let dir: string;
  let dbUrl: string;
  let operator: string;

  const finding = (over: Partial<Finding>): Finding => ({
    rule: 'snmp.community.public',
    severity: 'high',
    host: 'h1',
    address: '127.0.0.1',
    proto: 'udp',
    port: 161,
    title: 'SNMP answers to "public"',
    evidence: { community: 'public' },
    key: 'k1',
    status: 'new',
    tags: ['dc'],
    ...over,
  });

  beforeAll(async () => {
    app = await startTestApp();
    dbUrl = app.config.databaseUrl;
    operator = (await app.call('POST', '/tokens', { body: { name: 'cli', role: 'operator' } })).body.token;
    dir = await mkdtemp(join(tmpdir(), 'fq-cli-client-'));
    const db = app.store.prisma;
    const def = await db.scanDefinition.create({ data: { name: 'cli:lab' } });
    for (const findings of [
      [finding({}), finding({ key: 'k2', rule: 'tcp.telnet', severity: 'medium', proto: 'tcp', port: 23 })],
      [
        finding({ status: 'persisting' }),
        finding({ key: 'k3', rule: 'ldap.anonymous', severity: 'low', proto: 'tcp', port: 389 }),
      ],
    ]) {
      const { run } = await createRun(db, {
        trigger: 'cli',
        scanDefinitionId: def.id,
        policyName: 'baseline',
      });
      await startRun(db, run.id);
      await app.store.sql((c) => replaceRunFindings(c, run.id, findings));
      await finishRun(db, run.id, { status: 'succeeded' });
    }
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const server = () => ['--server', app.url, '--token', operator];

  it('report --format json: the same document as the embedded report of the same database', async () => {
    const remote = await runCli([...server(), 'report', '--run', 'latest', '--format', 'json']);
    expect(remote.stderr).toBe('');
    expect(remote.code).toBe(0);
    const local = await runCli(['report', '--run', 'latest', '--format', 'json', '--database-url', dbUrl]);
    expect(local.code).toBe(0);
    expect(JSON.parse(remote.stdout)).toEqual(JSON.parse(local.stdout));
    ReportSchema.parse(JSON.parse(remote.stdout));
    // Filters and the other formats go through the same renderers.
    for (const format of ['csv', 'sarif', 'text']) {
      const r = await runCli([...server(), 'report', '--format', format, '--severity', 'high']);
      const l = await runCli(['report', '--format', format, '--severity', 'high', '--database-url', dbUrl]);
      expect([format, r.stdout]).toEqual([format, l.stdout]);
    }
    // HTML: the same page (its trend from GET /findings/trend) but for the time it was generated.
    const stamp = (html: string) => html.replace(/ at \d{4}-\d\d-\d\dT[\d:.]+Z\./, ' at T.');
    const r = await runCli([...server(), 'report', '--format', 'html', '--severity', 'high']);
    const l = await runCli(['report', '--format', 'html', '--severity', 'high', '--database-url', dbUrl]);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(r.stdout).toContain('aria-label="Violations per run by severity"');
    expect(stamp(r.stdout)).toEqual(stamp(l.stdout));
  }, 180_000);

  it('diff A B --format json and runs: the same as the embedded commands', async () => {
    const remote = await runCli([...server(), 'diff', '1', '2', '--format', 'json']);
    const local = await runCli(['diff', '1', '2', '--format', 'json', '--database-url', dbUrl]);
    expect(remote.code).toBe(0);
    expect(JSON.parse(remote.stdout)).toEqual(JSON.parse(local.stdout));
    const runs = await runCli([...server(), 'runs']);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/^\s+2\s+succeeded\s+cli/m);
  });

  it('refuses a revoked token with the server message and a non-zero exit', async () => {
    const t = await app.call('POST', '/tokens', { body: { name: 'gone', role: 'viewer' } });
    await app.call('DELETE', `/tokens/${t.body.info.id}`);
    const r = await runCli(['--server', app.url, '--token', t.body.token, 'report', '--format', 'json']);
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/401/);
    expect(r.stderr).not.toContain(t.body.token);
  });

  it('scan start --inventory FILE stores the inventory and a scan definition, and starts a run (no --wait: no workers here)', async () => {
    const inv = join(dir, 'lab.yaml');
    await writeFile(
      inv,
      'name: lab2\ntargets:\n  - { address: 127.0.0.1, tags: [dc] }\nports:\n  tcp: "22"\n',
    );
    const r = await runCli(
      [...server(), 'scan', 'start', '--inventory', inv, '--idempotency-key', 'cli-test-1'],
      { timeoutMs: 60_000 },
    );
    expect(r.stderr).toMatch(/^run #3 /m);
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout) as { id: string; number: number; created: boolean };
    expect(run).toMatchObject({ number: 3, created: true });
    const defs = (await app.call('GET', '/scan-definitions')).body.items as Array<{
      name: string;
      inventoryId: string;
    }>;
    const def = defs.find((d) => d.name === 'cli:lab2');
    expect(def).toBeDefined();
    expect((await app.call('GET', `/inventories/${def!.inventoryId}`)).body.document.targets).toEqual([
      { address: '127.0.0.1', tags: ['dc'] },
    ]);
    // Same key again: the same run, and the existing inventory/definition are updated, not duplicated.
    const again = await runCli([
      ...server(),
      'scan',
      'start',
      '--inventory',
      inv,
      '--idempotency-key',
      'cli-test-1',
    ]);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: run.id, created: false });
    await app.call('POST', `/runs/${run.id}/cancel`);
  });
});
