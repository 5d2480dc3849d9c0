/**
 * What users' tools consume from the running controller passes those tools' own validators: the OpenAPI
 * document (`/docs-json`) with Redocly CLI's lint (redocly.yaml: 0 errors), and the checked-in copies — the
 * document (apps/controller/openapi.json) and the typed client openapi-typescript generates from it
 * (apps/cli/src/remote/generated/api.ts, which the CLI's API client is built on) — are what the running
 * controller serves today. On drift: FLEETQRY_UPDATE_OPENAPI=1 rewrites both (then review and commit). And the
 * /metrics of the controller and of a worker after a lab scan, with promtool and against the chart's Grafana
 * dashboard and alert rules.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { QUEUES, SEVERITIES } from '@fleetqry/contracts';
import { parse as parseYaml } from 'yaml';

import {
  loadGroundTruth,
  REPO_ROOT,
  startWorker,
  stopWorker,
  waitFor,
  type HostTruth,
  type WorkerProcess,
} from '../dispatch/testing/distributed-harness.js';
import {
  dashboardExpressions,
  exposedNames,
  parseSamples,
  selectedMetrics,
  sumOf,
} from '../testing/prometheus-text.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const SPEC = 'apps/controller/openapi.json';
const CLIENT_TYPES = 'apps/cli/src/remote/generated/api.ts';
const update = process.env['FLEETQRY_UPDATE_OPENAPI'] === '1';

let app: TestApp;

beforeAll(async () => {
  // The planner's site defaults for the lab scan below: port 2024 never probed, the lab's DNS, no reverse DNS.
  app = await startTestApp({
    FLEETQRY_EXCLUDE_PORTS: '2024',
    FLEETQRY_DNS_SERVERS: `${loadGroundTruth().net}.7`,
    FLEETQRY_REVERSE_DNS: 'false',
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
});

function run(bin: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(join(REPO_ROOT, 'node_modules/.bin', bin), args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('OpenAPI document of the running controller', () => {
  let live: string;

  beforeAll(async () => {
    const doc = await app.call('GET', '/docs-json', { token: null });
    expect(doc.status).toBe(200);
    live = `${JSON.stringify(JSON.parse(doc.raw), null, 2)}\n`;
    if (update) writeFileSync(join(REPO_ROOT, SPEC), live);
  });

  test(`is the checked-in ${SPEC}`, () => {
    expect(readFileSync(join(REPO_ROOT, SPEC), 'utf8')).toBe(live);
  });

  test('redocly lint: valid, no error and no warning', () => {
    const lint = run('redocly', ['lint', SPEC, '--config', 'redocly.yaml', '--format', 'stylish']);
    if (lint.code !== 0) throw new Error(lint.out);
    expect(lint.out).toMatch(/Your API description is valid/);
    expect(lint.out).not.toMatch(/^\s*\d+:\d+\s+warning/m);
  }, 180_000);

  test(`openapi-typescript regenerates the CLI's typed client (${CLIENT_TYPES}) unchanged`, () => {
    // Run outside the repository: redocly.yaml is the lint's, not the generator's.
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-openapi-'));
    const out = join(dir, 'api.ts');
    const gen = spawnSync(
      join(REPO_ROOT, 'node_modules/.bin/openapi-typescript'),
      [join(REPO_ROOT, SPEC), '--output', out],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (gen.status !== 0) throw new Error(`${gen.stdout}\n${gen.stderr}`);
    const fmt = spawnSync(join(REPO_ROOT, 'node_modules/.bin/prettier'), ['--stdin-filepath', CLIENT_TYPES], {
      cwd: REPO_ROOT,
      input: readFileSync(out, 'utf8'),
      encoding: 'utf8',
    });
    rmSync(dir, { recursive: true, force: true });
    expect(fmt.status).toBe(0);
    const generated = fmt.stdout;
    if (update) writeFileSync(join(REPO_ROOT, CLIENT_TYPES), generated);
    expect(readFileSync(join(REPO_ROOT, CLIENT_TYPES), 'utf8')).toBe(generated);
  }, 120_000);
});

/**
 * /metrics of the running controller and of a real worker process (apps/worker/dist) after a small lab scan:
 * Prometheus's own checker passes on both, the new series carry what the scan must have produced (its
 * expected values from the lab's ground truth), and every metric the chart's Grafana dashboard and alert rules
 * read is one the apps export.
 */
describe('/metrics of the running controller and a worker, after a lab scan', () => {
  const truth = loadGroundTruth();
  const hosts = truth.hosts.filter((h) => Number(h.address.split('.')[3]) <= 8);
  const TCP = [21, 22, 23, 80];
  const expectTcp = (pick: (h: HostTruth) => number[]) =>
    hosts.reduce((n, h) => n + pick(h).filter((p) => TCP.includes(p)).length, 0);
  // Hosts answering `public` over v1/v2c; every other host's SNMP query fails (unanswered or refused).
  const snmpPublic = hosts.filter(
    (h) => h.snmp !== null && 'public' in h.snmp.communities && h.snmp.versions.some((v) => v !== 'v3'),
  ).length;
  let worker: WorkerProcess;
  let runId: string;
  let controllerText: string;
  let workerText: string;

  beforeAll(async () => {
    worker = startWorker({
      REDIS_URL: 'redis://127.0.0.1:6379',
      FLEETQRY_QUEUE_PREFIX: app.config.queuePrefix,
      FLEETQRY_CONTROLLER_URL: app.url,
      FLEETQRY_WORKER_TOKEN: app.workerToken,
      FLEETQRY_JOB_KEY: app.config.jobKeys.current,
      FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
      FLEETQRY_RESULT_FLUSH_MS: '500',
      FLEETQRY_SHUTDOWN_GRACE_MS: '3000',
    });
    await waitFor(
      'the worker ready',
      async () => worker.output.some((l) => l.includes('worker ready')),
      60_000,
    );
    const credential = await app.call('POST', '/credentials', {
      body: { kind: 'snmp-community', name: 'public', secret: 'public' },
    });
    const inventory = await app.call('POST', '/inventories', {
      body: {
        name: 'metrics-lab',
        document: {
          version: 1,
          name: 'metrics-lab',
          targets: hosts.map((h) => h.address),
          ports: { tcp: TCP.join(','), udp: '161' },
          snmp: { credentials: [credential.body.id] },
        },
      },
    });
    const scan = await app.call('POST', '/scan-definitions', {
      body: { name: 'metrics-lab', inventoryId: inventory.body.id, policy: 'baseline' },
    });
    const run = await app.call('POST', '/runs', { body: { scanDefinitionId: scan.body.id } });
    expect([credential.status, inventory.status, scan.status, run.status]).toEqual([201, 201, 201, 202]);
    runId = run.body.id;
    const done = await waitFor(
      'the run finished',
      async () => {
        const r = await app.call('GET', `/runs/${runId}`);
        return ['succeeded', 'failed', 'cancelled'].includes(r.body.status) && r.body;
      },
      120_000,
      250,
    );
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    controllerText = (await app.call('GET', '/metrics', { token: null })).raw;
    const port = /health and metrics listening on port (\d+)/.exec(worker.output.join('\n'))?.[1];
    workerText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  }, 240_000);

  afterAll(async () => {
    if (worker) await stopWorker(worker);
  }, 30_000);

  test.each([
    ['controller', () => controllerText],
    ['worker', () => workerText],
  ])('promtool check metrics of the %s: no problem', (_app, text) => {
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text(), encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });

  test('the worker: probes by proto and state, protocol query errors, chunk durations, build info', () => {
    const samples = parseSamples(workerText);
    const probes = (match: Record<string, string>) => sumOf(samples, 'fleetqry_worker_probes_total', match);
    // Exactly the scan: every TCP cell once, in the state the lab's ground truth says.
    expect(probes({ proto: 'tcp' })).toBe(hosts.length * TCP.length);
    expect(probes({ proto: 'tcp', state: 'LISTENING' })).toBe(expectTcp((h) => h.openTcp));
    expect(probes({ proto: 'tcp', state: 'FILTERED' })).toBe(expectTcp((h) => h.filteredTcp));
    expect(probes({ proto: 'udp' })).toBe(hosts.length);
    expect(probes({ proto: 'udp', state: 'LISTENING' })).toBe(snmpPublic);
    expect(snmpPublic).toBeLessThan(hosts.length);
    expect(sumOf(samples, 'fleetqry_worker_protocol_query_errors_total', { protocol: 'snmp' })).toBe(
      hosts.length - snmpPublic,
    );
    const errorStatuses = samples
      .filter((s) => s.name === 'fleetqry_worker_protocol_query_errors_total')
      .map((s) => s.labels['status']);
    expect(errorStatuses).not.toContain('success');
    expect(sumOf(samples, 'fleetqry_worker_chunk_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sumOf(samples, 'fleetqry_worker_chunks_total', { outcome: 'done' })).toBe(
      sumOf(samples, 'fleetqry_worker_chunk_duration_seconds_count'),
    );
    expect(workerText).toMatch(/^fleetqry_build_info\{app="worker",version="[^"]+"\} 1$/m);
  });

  test('the controller: findings of the latest run by severity, queues, workers, runs, build info', async () => {
    const samples = parseSamples(controllerText);
    // The same counts as the API's summary of the run (the first run of the scan: every finding is new).
    const summary = await app.call('GET', `/findings/summary?run=${runId}`);
    expect(summary.status).toBe(200);
    expect(summary.body.total).toBeGreaterThan(0);
    for (const severity of SEVERITIES) {
      const expected = (summary.body.groups as { severity: string; count: number }[])
        .filter((g) => g.severity === severity)
        .reduce((n, g) => n + g.count, 0);
      const labels = { scan: 'metrics-lab', severity };
      expect([
        severity,
        sumOf(samples, 'fleetqry_latest_run_findings', { ...labels, status: 'new' }),
      ]).toEqual([severity, expected]);
      // Every severity × status is there, at 0 when nothing has it.
      expect(
        samples.filter((s) => s.name === 'fleetqry_latest_run_findings' && s.labels['severity'] === severity),
      ).toHaveLength(4);
    }
    expect(sumOf(samples, 'fleetqry_latest_run_findings', { status: 'persisting' })).toBe(0);
    const queues = Object.values(QUEUES);
    for (const queue of queues)
      for (const state of ['waiting', 'active', 'completed', 'failed'])
        expect(
          samples.some(
            (s) =>
              s.name === 'fleetqry_queue_jobs' && s.labels['queue'] === queue && s.labels['state'] === state,
          ),
        ).toBe(true);
    expect(
      sumOf(samples, 'fleetqry_queue_jobs', { queue: 'probe', state: 'completed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sumOf(samples, 'fleetqry_queue_jobs', { queue: 'probe', state: 'waiting' })).toBe(0);
    // The one worker process on the probe and query queues; the controller itself consumes the results.
    expect(sumOf(samples, 'fleetqry_queue_workers', { queue: 'probe' })).toBe(1);
    expect(sumOf(samples, 'fleetqry_queue_workers', { queue: 'queries' })).toBe(1);
    expect(sumOf(samples, 'fleetqry_queue_workers', { queue: 'results' })).toBeGreaterThanOrEqual(1);
    expect(sumOf(samples, 'fleetqry_run_duration_seconds_count', { status: 'succeeded' })).toBe(1);
    expect(sumOf(samples, 'fleetqry_observations_ingested_total')).toBeGreaterThan(0);
    expect(controllerText).toMatch(/^fleetqry_build_info\{app="controller",version="[^"]+"\} 1$/m);
  });

  test('one prefix: every series of both apps starts with fleetqry_', () => {
    const names = [...exposedNames(controllerText), ...exposedNames(workerText)];
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => !n.startsWith('fleetqry_'))).toEqual([]);
  });

  test('every metric the Grafana dashboard and the alert rules read is exported by the apps', () => {
    const exported = new Set([...exposedNames(controllerText), ...exposedNames(workerText)]);
    const dashboard = JSON.parse(
      readFileSync(join(REPO_ROOT, 'helm/fleetqry/monitoring/dashboard.json'), 'utf8'),
    );
    const rules = parseYaml(
      readFileSync(join(REPO_ROOT, 'helm/fleetqry/monitoring/alerts.yaml'), 'utf8'),
    ) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const expressions = [
      ...dashboardExpressions(dashboard).map((e) => ({ where: `panel "${e.panel}"`, expr: e.expr })),
      ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
    ];
    expect(expressions.length).toBeGreaterThan(20);
    const unknown = expressions.flatMap(({ where, expr }) =>
      selectedMetrics(expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
