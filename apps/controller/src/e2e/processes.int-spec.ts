import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ReportSchema, type Report } from '@fleetqry/contracts';
import pg from 'pg';

import {
  deleteRedisPrefix,
  dumpRedis,
  loadGroundTruth,
  REPO_ROOT,
  tempPostgres,
  uniquePrefix,
  waitFor,
} from '../dispatch/testing/distributed-harness.js';
import { freePort, runProcess, running, startProcess, stopProcess, type Proc } from '../testing/processes.js';
import { validateSarif } from '../testing/sarif-multitool.js';

interface SarifLog {
  runs: {
    automationDetails: { id: string };
    tool: { driver: { rules: { id: string; helpUri: string; help: { markdown: string } }[] } };
    results: {
      ruleId: string;
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId: string };
          region: { startLine: number };
        };
      }[];
    }[];
  }[];
}

/**
 * The distributed sweep end to end, with every app a separate process as deployed: the migrator, the controller
 * (apps/controller/dist/main.js, configured from the environment only), three workers
 * (apps/worker/dist/main.js) and the CLI as the API client (apps/cli/bin/fleetqry.js). Real Postgres
 * (a fresh database), the machine's Redis (a unique queue prefix), the fleet lab. The run must flag
 * exactly the lab's hosts answering `public` and produce the same violations as the embedded sweep, and a
 * secret community the lab really accepts must appear nowhere outside the controller's encrypted store.
 */
const SECRET = 'Xk9-ops-2026'; // the lab's private community (tools/lab ground truth: snmp.communities)
const truth = loadGroundTruth();
const CIDR = `${truth.net}.0/26`;
const inCidr = (a: string) => Number(a.split('.')[3]) < 64;
const answers = (community: string) =>
  truth.hosts
    .filter(
      (h) =>
        inCidr(h.address) &&
        h.snmp !== null &&
        community in h.snmp.communities &&
        h.snmp.versions.some((v) => v === 'v1' || v === 'v2c'),
    )
    .map((h) => h.address)
    .sort();
const expectedPublic = answers('public'); // the predicate of apps/cli/src/e2e/sweep.int-spec.ts
const expectedSecret = answers(SECRET);

const CONTROLLER_MAIN = join(REPO_ROOT, 'apps/controller/dist/main.js');
const WORKER_MAIN = join(REPO_ROOT, 'apps/worker/dist/main.js');
const MIGRATOR = join(REPO_ROOT, 'libs/store/dist/migrator/cli.js');
const CLI = join(REPO_ROOT, 'apps/cli/bin/fleetqry.js');
const REDIS_URL = 'redis://127.0.0.1:6379';

const adminToken = `fq_${randomBytes(32).toString('base64url')}`;
const workerToken = randomBytes(32).toString('hex');
const credentialKey = randomBytes(32).toString('hex');
const jobKey = randomBytes(32).toString('base64url');
const prefix = uniquePrefix('proc');

let db: { url: string; drop(): Promise<void> };
let dir: string;
let controllerUrl: string;
let controller: Proc | undefined;
const workers: Proc[] = [];
/** Every response body this test received from the API, and every CLI output (all must be secret-free). */
const received: string[] = [];
const timings: Record<string, unknown> = {};
const since = (t0: number) => Math.round(performance.now() - t0);

/** A request to the controller, its body as text (every body is kept: none may carry a secret). */
async function apiRaw(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; raw: string }> {
  try {
    const res = await fetch(`${controllerUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const raw = await res.text();
    received.push(raw);
    return { status: res.status, raw };
  } catch (e) {
    throw new Error(
      `${method} ${path}: ${String(e)}; controller output:\n${controller?.text().slice(-3000)}`,
    );
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const { status, raw } = await apiRaw(method, path, body);
  return { status, body: raw ? (JSON.parse(raw) as unknown) : undefined };
}

async function cli(args: string[], timeoutMs?: number) {
  const r = await runProcess([CLI, ...args], {}, timeoutMs);
  received.push(r.stdout, r.stderr);
  return r;
}

const violationKeys = (r: Report) =>
  r.violations.map((f) => `${f.rule} ${f.severity} ${f.address} ${f.proto}/${f.port}`).sort();
/** A report's violations without what legitimately differs between two runs of the same scan. */
const comparable = (r: Report) =>
  r.violations
    .map(({ firstSeen: _f, lastSeen: _l, source: _s, ...f }) => f)
    .sort((a, b) => a.key.localeCompare(b.key));
const publicHosts = (r: Report) =>
  r.violations
    .filter((f) => f.rule === 'snmp.community.public')
    .map((f) => f.address)
    .sort();

beforeAll(async () => {
  const t0 = performance.now();
  const lab = spawnSync('bash', ['tools/lab/lab.sh', 'status'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout;
  if (!/processes running/.test(lab))
    throw new Error(`the fleet lab is not up (bash tools/lab/lab.sh up): ${lab}`);
  db = await tempPostgres();
  dir = await mkdtemp(join(tmpdir(), 'fq-processes-'));

  // 1. Migrations, as `npm run db:migrate` (the controller never migrates).
  const migrated = await runProcess([MIGRATOR], { DATABASE_URL: db.url }, 60_000);
  if (migrated.code !== 0) throw new Error(`migrator exited ${migrated.code}: ${migrated.stderr}`);
  timings.migrateMs = since(t0);

  // 2. The controller, configured from the environment only (names from .env.example).
  const port = await freePort();
  controllerUrl = `http://127.0.0.1:${port}`;
  controller = startProcess('controller', [CONTROLLER_MAIN], {
    DATABASE_URL: db.url,
    REDIS_URL,
    FLEETQRY_QUEUE_PREFIX: prefix,
    FLEETQRY_ADMIN_TOKEN: adminToken,
    FLEETQRY_CREDENTIAL_KEY: credentialKey,
    FLEETQRY_WORKER_TOKEN: workerToken,
    FLEETQRY_JOB_KEY: jobKey,
    FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
    FLEETQRY_PORT: String(port),
    FLEETQRY_HOST: '127.0.0.1',
    FLEETQRY_LOG_LEVEL: 'info',
    // Small chunks, so that the three workers share the run; quick reconciliation and grace for a test.
    FLEETQRY_CHUNK_PROBES: '4',
    FLEETQRY_JOB_BACKOFF_MS: '200',
    FLEETQRY_RECONCILE_MS: '1000',
    FLEETQRY_RESULTS_GRACE_MS: '3000',
    // Planner site defaults: the repo's safety settings (port 2024 never probed, lab DNS, no reverse DNS).
    FLEETQRY_EXCLUDE_PORTS: '2024',
    FLEETQRY_DNS_SERVERS: `${truth.net}.7`,
    FLEETQRY_REVERSE_DNS: 'false',
  });
  await waitFor(
    'controller /health',
    async () => {
      if (!running(controller!)) throw new Error('exited');
      return (await fetch(`${controllerUrl}/health`, { signal: AbortSignal.timeout(2000) })).status === 200;
    },
    60_000,
    250,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; controller output:\n${controller!.text().slice(-4000)}`);
  });
  timings.controllerReadyMs = since(t0);

  // 3. Three workers: Redis and the controller's credential endpoint, no database.
  for (let i = 0; i < 3; i++)
    workers.push(
      startProcess(`worker${i}`, [WORKER_MAIN], {
        REDIS_URL,
        FLEETQRY_QUEUE_PREFIX: prefix,
        FLEETQRY_CONTROLLER_URL: controllerUrl,
        FLEETQRY_WORKER_TOKEN: workerToken,
        FLEETQRY_JOB_KEY: jobKey,
        FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
        FLEETQRY_WORKER_PORT: '0',
        FLEETQRY_WORKER_HOST: '127.0.0.1',
        FLEETQRY_RESULT_FLUSH_MS: '500',
        FLEETQRY_SHUTDOWN_GRACE_MS: '3000',
      }),
    );
  await waitFor(
    '3 workers ready',
    async () => workers.every((w) => w.text().includes('worker ready')),
    60_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}:\n${workers.map((w) => `${w.name}: ${w.text().slice(-2000)}`).join('\n')}`);
  });
  timings.workersReadyMs = since(t0);
}, 180_000);

afterAll(async () => {
  const t0 = performance.now();
  const stopped = await Promise.all(
    [...workers, ...(controller ? [controller] : [])].map((p) => stopProcess(p)),
  );
  timings.shutdownMs = since(t0);
  await db?.drop();
  await deleteRedisPrefix(prefix);
  if (dir) await rm(dir, { recursive: true, force: true });
  process.stdout.write(
    `processes e2e timings (ms): ${JSON.stringify(timings)}; shutdown: ${JSON.stringify(stopped)}\n`,
  );
}, 90_000);

describe('controller + 3 workers as separate processes, driven through the API and the CLI', () => {
  let credentialIds: { public: string; ops: string };
  let scanId: string;
  let report: Report;
  let runId: string;
  let embedded: Report;

  it('creates credentials, an inventory and a scan definition through the API (no secret in any answer)', async () => {
    const pub = await api('POST', '/credentials', {
      kind: 'snmp-community',
      name: 'public',
      secret: 'public',
    });
    const ops = await api('POST', '/credentials', { kind: 'snmp-community', name: 'ops', secret: SECRET });
    expect([pub.status, ops.status]).toEqual([201, 201]);
    expect(ops.body).not.toHaveProperty('secret');
    credentialIds = { public: pub.body.id, ops: ops.body.id };
    expect((await api('GET', `/credentials/${credentialIds.ops}`)).status).toBe(200);
    expect((await api('GET', '/credentials')).status).toBe(200);

    // Named as `scan start --inventory` names what it stores (`cli:<inventory name>`), so the CLI run below
    // updates and runs these very records instead of creating its own.
    const inventory = await api('POST', '/inventories', {
      name: 'cli:lab-processes',
      document: {
        version: 1,
        name: 'lab-processes',
        targets: [CIDR],
        ports: { udp: '161' },
        snmp: { credentials: [credentialIds.public, credentialIds.ops] },
      },
    });
    expect(inventory.status).toBe(201);
    expect(inventory.body.hostCount).toBe(1); // inventory entries: the /26 is one
    const scan = await api('POST', '/scan-definitions', {
      name: 'cli:lab-processes',
      inventoryId: inventory.body.id,
      policy: 'baseline',
    });
    expect(scan.status).toBe(201);
    scanId = scan.body.id;
  });

  it('scan start --wait (the CLI against the controller) runs it on the 3 workers and prints the report', async () => {
    // `scan start` takes an inventory file; this one is the API-created inventory's document.
    const file = join(dir, 'lab-processes.yaml');
    await writeFile(
      file,
      [
        'name: lab-processes',
        'targets:',
        `  - ${CIDR}`,
        'ports:',
        '  udp: "161"',
        'snmp:',
        `  credentials: [${credentialIds.public}, ${credentialIds.ops}]`,
        '',
      ].join('\n'),
    );
    const t0 = performance.now();
    const r = await cli(
      [
        '--server',
        controllerUrl,
        '--token',
        adminToken,
        'scan',
        'start',
        '--inventory',
        file,
        '--wait',
        '--poll-ms',
        '250',
        '--format',
        'json',
      ],
      240_000,
    );
    timings.scanStartWaitMs = since(t0);
    expect(r.stderr).toMatch(/^run #1 /m);
    expect(r.code).toBe(3); // critical violations, --fail-on high
    report = ReportSchema.parse(JSON.parse(r.stdout));
    runId = report.run.id;
    expect(report.run.status).toBe('succeeded');
    expect(publicHosts(report)).toEqual(expectedPublic);

    const run = await api('GET', `/runs/${runId}`);
    expect(run.body).toMatchObject({ status: 'succeeded', error: null, scanDefinitionId: scanId, hosts: 64 });
    expect(run.body.progress.doneChunks).toBe(run.body.progress.chunks);
    expect(run.body.progress.doneProbes).toBe(run.body.progress.totalProbes);
    timings.runDurationMs = run.body.durationMs;
    timings.chunks = run.body.progress.chunks;

    // The chunks were shared: each worker logs the chunks it probed.
    const perWorker = workers.map(
      (w) =>
        w
          .text()
          .split('\n')
          .filter((l) => l.includes('chunk probed') && l.includes(runId)).length,
    );
    timings.chunksPerWorker = perWorker;
    expect(perWorker.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(run.body.progress.chunks);
    expect(perWorker.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  }, 300_000);

  it('report --run latest --format json: the run, flagging exactly the lab hosts answering public', async () => {
    const r = await cli([
      'report',
      '--run',
      'latest',
      '--format',
      'json',
      '--server',
      controllerUrl,
      '--token',
      adminToken,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const latest = ReportSchema.parse(JSON.parse(r.stdout));
    expect(latest.run.id).toBe(runId);
    expect(publicHosts(latest)).toEqual(expectedPublic);
    expect(violationKeys(latest)).toEqual(violationKeys(report));
    const one = latest.violations.find((f) => f.rule === 'snmp.community.public')!;
    expect(one).toMatchObject({ severity: 'critical', status: 'new', proto: 'udp', port: 161 });
    expect(one.evidence).toMatchObject({ communities: ['public'] });
  });

  it("serves the run's observations, filtered and paged", async () => {
    const all = await api('GET', `/observations?run=${runId}&proto=udp&port=161&limit=10`);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(64);
    expect(all.body.items).toHaveLength(10);
    const listening = await api('GET', `/observations?run=${runId}&state=LISTENING&limit=100`);
    expect(listening.body.items.map((o: { address: string }) => o.address).sort()).toEqual(
      [...new Set(listening.body.items.map((o: { address: string }) => o.address))].sort(),
    );
    expect(listening.body.items.every((o: { state: string }) => o.state === 'LISTENING')).toBe(true);
    expect(
      expectedPublic.every((a) => listening.body.items.some((o: { address: string }) => o.address === a)),
    ).toBe(true);
    expect((await api('GET', `/observations?run=${runId}&port=abc`)).status).toBe(400);
  });

  it('plans a stored service group and probes exactly its ports on the workers', async () => {
    const group = await api('POST', '/service-groups', { name: 'lab-remote', tcp: '22,23' });
    expect(group.status).toBe(201);
    const inventory = await api('POST', '/inventories', {
      name: 'lab-groups',
      document: { version: 1, name: 'lab-groups', targets: [CIDR], ports: { tcp: '80' } },
    });
    expect(inventory.status).toBe(201);
    const scan = await api('POST', '/scan-definitions', {
      name: 'lab-groups',
      inventoryId: inventory.body.id,
      serviceGroups: ['lab-remote'],
      policy: 'baseline',
    });
    expect(scan.status).toBe(201);
    const started = await api('POST', '/runs', { scanDefinitionId: scan.body.id });
    expect(started.status).toBe(202);
    const done = await waitFor(
      'the service group run',
      async () => {
        const r = await api('GET', `/runs/${started.body.id}`);
        return r.body.status !== 'running' && r.body.status !== 'queued' && r.body;
      },
      120_000,
      250,
    );
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    // The group's ports replace the inventory's (tcp/80 is not probed).
    expect(done.progress.totalProbes).toBe(64 * 2);
    const listening = await api('GET', `/observations?run=${started.body.id}&state=LISTENING&limit=200`);
    const cells = listening.body.items.map(
      (o: { address: string; port: number }) => `${o.address}/${o.port}`,
    );
    const expected = truth.hosts
      .filter((h) => inCidr(h.address))
      .flatMap((h) => h.openTcp.filter((p) => p === 22 || p === 23).map((p) => `${h.address}/${p}`));
    expect(expected.length).toBeGreaterThan(0);
    expect(cells.sort()).toEqual(expected.sort());
  }, 180_000);

  it('has the same violations as the embedded sweep of the lab', async () => {
    const inventory = join(dir, 'embedded.yaml');
    await writeFile(
      inventory,
      `name: embedded\ntargets:\n  - ${CIDR}\nports:\n  udp: "161"\nsnmp:\n  communities: [public]\n`,
    );
    const t0 = performance.now();
    const r = await cli(
      [
        'sweep',
        '--inventory',
        inventory,
        '-nr',
        '--format',
        'json',
        '--no-progress',
        '--data-dir',
        join(dir, 'store'),
      ],
      240_000,
    );
    timings.embeddedSweepMs = since(t0);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    embedded = ReportSchema.parse(JSON.parse(r.stdout));
    expect(publicHosts(embedded)).toEqual(expectedPublic);
    expect(violationKeys(report)).toEqual(violationKeys(embedded));
    // Finding for finding: evidence, keys, titles, tags, references, status; not the times of two runs.
    expect(comparable(report)).toEqual(comparable(embedded));
    expect(report.summary).toEqual(embedded.summary);
    expect(report.delta).toEqual(embedded.delta);
  }, 300_000);

  // Stored findings keep the rules' references (CVE ids): the API's /reports, `fleetqry report` and SARIF's
  // helpUri read them back from the store.
  it("keeps the rules' references in the stored report, as the embedded sweep prints them", () => {
    const refs = (r: Report) => r.violations.find((f) => f.rule === 'snmp.community.public')?.references;
    expect(refs(embedded)).toContain('CVE-1999-0517');
    expect(refs(report)).toEqual(refs(embedded));
  });

  it('exports SARIF that the SARIF Multitool passes with the GitHub rules, from the API and from the CLI', async () => {
    const fromApi = await apiRaw('GET', `/reports/${runId}?format=sarif`);
    expect(fromApi.status).toBe(200);
    const fromCli = await cli(['report', '--data-dir', join(dir, 'store'), '--format', 'sarif']);
    expect(fromCli.code).toBe(0);
    const logs = { api: fromApi.raw, cli: fromCli.stdout };
    for (const [origin, text] of Object.entries(logs)) {
      expect([origin, validateSarif(text)]).toEqual([origin, []]);
    }
    const api = JSON.parse(logs.api) as SarifLog;
    const local = JSON.parse(logs.cli) as SarifLog;
    // Stable categories: the scan definition's name, the CLI inventory's name (no path of this machine).
    expect(api.runs[0]!.automationDetails.id).toBe('fleetqry/cli:lab-processes/1');
    expect(local.runs[0]!.automationDetails.id).toBe('fleetqry/embedded/1');
    // Every result points at the /26's entry: line 1 of the stored inventory, line 3 of the CLI's file.
    const places = (log: SarifLog) => [
      ...new Set(
        log.runs[0]!.results.map((r) => {
          const p = r.locations[0]!.physicalLocation;
          return `${p.artifactLocation.uriBaseId} ${p.artifactLocation.uri}:${p.region.startLine}`;
        }),
      ),
    ];
    const publicResults = (log: SarifLog) =>
      log.runs[0]!.results.filter((r) => r.ruleId === 'snmp.community.public').length;
    expect([publicResults(api), publicResults(local)]).toEqual([
      publicHosts(report).length,
      publicHosts(embedded).length,
    ]);
    expect(places(api)).toEqual(['%SRCROOT% inventories/cli%3Alab-processes:1']);
    expect(places(local)).toEqual(['%SRCROOT% embedded.yaml:3']);
    for (const rule of [...api.runs[0]!.tool.driver.rules, ...local.runs[0]!.tool.driver.rules]) {
      expect(rule.help.markdown).toContain(rule.id);
      expect(rule.helpUri).toMatch(/\/docs\/rules\.md#[a-z0-9-]+$/);
    }
  }, 120_000);

  it('used the secret community (the hosts accepting it are found, labelled by credential id)', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const rows = await c.query<{ address: string }>(
        `SELECT DISTINCT address FROM observations WHERE run_id = $1::uuid AND data::text LIKE $2 ORDER BY address`,
        [runId, `%credential:${credentialIds.ops}%`],
      );
      expect(rows.rows.map((r) => r.address).sort()).toEqual(expectedSecret);
      expect(expectedSecret.length).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });

  it('keeps the secret out of every log line, API answer, Redis key and value, and stored plaintext', async () => {
    // Redis: every key under the prefix, with its value (job payloads carry credential ids only).
    const redis = await dumpRedis(prefix);
    expect(redis.keys).toBeGreaterThan(5);
    expect(redis.text).toContain('communityCredentialIds');
    expect(redis.text).toContain(credentialIds.ops);
    expect(redis.text).not.toContain(SECRET);

    // Logs of the controller and of the three workers (so far; the shutdown lines are checked by the last test).
    const logs = [controller!, ...workers].map((p) => p.text());
    expect(logs.every((l) => l.length > 0)).toBe(true);
    // Request log lines carry the request id that error bodies and X-Request-Id give back.
    expect(logs[0]).toMatch(/"requestId":"[0-9a-f-]{36}"/);
    for (const l of logs) {
      expect(l).not.toContain(SECRET);
      expect(l).not.toContain(workerToken);
      expect(l).not.toContain(adminToken);
      expect(l).not.toContain(credentialKey);
    }

    // Everything the API answered and the CLI printed.
    expect(received.length).toBeGreaterThan(5);
    expect(received.join('\n')).not.toContain(SECRET);

    // Postgres: no table holds the plaintext (credentials are AES-GCM ciphertext).
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const tables = await c.query<{ t: string }>(
        `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      expect(tables.rows.map((r) => r.t)).toContain('credentials');
      for (const { t } of tables.rows) {
        const dump = await c.query<{ j: string | null }>(`SELECT json_agg(x)::text AS j FROM "${t}" x`);
        expect([t, (dump.rows[0]!.j ?? '').includes(SECRET)]).toEqual([t, false]);
      }
    } finally {
      await c.end();
    }
  });

  it('stops the controller and the workers gracefully on SIGTERM, without leaking the secret on the way out', async () => {
    const all = [...workers, controller!];
    const stopped = await Promise.all(all.map((p) => stopProcess(p, 20_000)));
    timings.stop = all.map((p, i) => ({
      name: p.name,
      ms: stopped[i]!.ms,
      exit: p.child.exitCode ?? p.child.signalCode,
    }));
    expect(stopped.map((s) => s.signal)).toEqual(all.map(() => 'SIGTERM'));
    for (const w of workers) expect(w.text()).toContain('probe worker closed');
    for (const p of all) expect(p.text()).not.toContain(SECRET);
  }, 60_000);
});
