import {
  createCredential,
  createInventory,
  createScanDefinition,
  createStore,
  getRun,
  type Store,
} from '@fleetqry/store';
import { QUEUES, runEventJobId } from '@fleetqry/contracts';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';

import {
  appConfig,
  CapturingLogger,
  credentialServer,
  JOB_KEY,
  deleteRedisPrefix,
  dispatchConfig,
  dumpRedis,
  loadGroundTruth,
  sleep,
  startController,
  startRedis,
  startWorker,
  stopRedis,
  stopWorker,
  uniquePrefix,
  waitFor,
  waitForWorkers,
  WORKER_TOKEN,
  type WorkerProcess,
  tempPostgres,
} from './testing/distributed-harness.js';

/**
 * The distributed transport end to end: the controller's dispatch and runs modules (Nest, this process,
 * real Postgres and Redis), three worker processes started from apps/worker/dist, the fleet lab. Each
 * run must complete with every observation stored exactly once, whatever happens to a worker or to Redis.
 */
const SECRET = 'Xk9-ops-2026'; // the lab's private community: accepted by some agents, so it is really used
const truth = loadGroundTruth();
const CIDR = `${truth.net}.0/26`;
const inCidr = (a: string) => Number(a.split('.')[3]) < 64;
const expectedPublic = truth.hosts
  .filter(
    (h) =>
      inCidr(h.address) &&
      h.snmp &&
      'public' in h.snmp.communities &&
      h.snmp.versions.some((v) => v === 'v1' || v === 'v2c'),
  )
  .map((h) => h.address)
  .sort();
const acceptsSecret = truth.hosts.filter(
  (h) =>
    inCidr(h.address) &&
    h.snmp &&
    SECRET in h.snmp.communities &&
    h.snmp.versions.some((v) => v === 'v1' || v === 'v2c'),
);

const prefix = uniquePrefix('e2e');
const logger = new CapturingLogger();
let db: { url: string; drop(): Promise<void> };
let store: Store;
let controller: { nest: INestApplication; url: string };
let creds: Awaited<ReturnType<typeof credentialServer>>;
let workers: WorkerProcess[] = [];
let credentialIds: string[];

async function definition(
  name: string,
  ports: { tcp?: string; udp?: string },
  targets: string[] = [CIDR],
): Promise<string> {
  const inventory = await createInventory(store.prisma, {
    name: `inv-${name}`,
    document: { version: 1, targets, ports },
  });
  const def = await createScanDefinition(store.prisma, {
    name,
    inventoryId: inventory.id,
    credentialIds,
    policy: 'baseline',
  });
  return def.id;
}

async function startRun(scanDefinitionId: string): Promise<string> {
  const res = await fetch(`${controller.url}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scanDefinitionId }),
  });
  const body = (await res.json()) as { id: string; status: string };
  expect(res.status).toBe(202);
  return body.id;
}

async function progress(runId: string) {
  const res = await fetch(`${controller.url}/runs/${runId}`);
  return (await res.json()) as {
    status: string;
    error: string | null;
    hosts: number;
    progress: { totalProbes: number; doneProbes: number; chunks: number; doneChunks: number };
    network: { retransmissions: number; recovered: number; undecided: number };
    planFailures: { given: string; error: string }[];
  };
}

async function waitFinished(runId: string, timeoutMs: number) {
  return waitFor(
    `run ${runId} to finish`,
    async () => {
      const p = await progress(runId);
      return p.status !== 'running' && p.status !== 'queued' ? p : undefined;
    },
    timeoutMs,
    500,
  );
}

/**
 * Probed cells of a run — port-state observation rows plus closed ports stored as coverage ranges — and the
 * count of distinct cells among them (equal: every cell stored exactly once, in one of the two places).
 */
async function portRows(runId: string): Promise<{ rows: number; distinct: number }> {
  const [r] = await store.prisma.$queryRawUnsafe<{ rows: bigint; distinct: bigint }[]>(
    `WITH cells AS (
       SELECT address, proto, port FROM observations WHERE run_id = $1::uuid AND "check" = 'port'
       UNION ALL
       SELECT c.address, c.proto, p.port
         FROM run_coverage c, unnest(c.closed) r, generate_series(lower(r), upper(r) - 1) AS p(port)
        WHERE c.run_id = $1::uuid)
     SELECT count(*) AS rows, count(DISTINCT (address, proto, port)) AS distinct FROM cells`,
    runId,
  );
  return { rows: Number(r!.rows), distinct: Number(r!.distinct) };
}

function workerEnv(): Record<string, string> {
  return {
    REDIS_URL: 'redis://127.0.0.1:6379',
    FLEETQRY_QUEUE_PREFIX: prefix,
    FLEETQRY_CONTROLLER_URL: creds.url,
    FLEETQRY_WORKER_TOKEN: WORKER_TOKEN,
    FLEETQRY_JOB_KEY: JOB_KEY,
    FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
    // Slow enough that a run lasts seconds (so a worker can be killed mid-run), fast enough for CI.
    FLEETQRY_WORKER_RATE: '250',
    FLEETQRY_WORKER_LOCK_MS: '3000',
    FLEETQRY_RESULT_BATCH: '100',
    FLEETQRY_RESULT_FLUSH_MS: '500',
    FLEETQRY_JOB_BACKOFF_MS: '200',
    FLEETQRY_SHUTDOWN_GRACE_MS: '3000',
  };
}

beforeAll(async () => {
  db = await tempPostgres();
  store = await createStore({ databaseUrl: db.url, migrate: true });
  const app = appConfig(db.url, prefix);
  const publicCred = await createCredential(store.prisma, app.credentialKey, {
    kind: 'snmp_community',
    name: 'public',
    secret: 'public',
  });
  const secretCred = await createCredential(store.prisma, app.credentialKey, {
    kind: 'snmp_community',
    name: 'ops',
    secret: SECRET,
  });
  credentialIds = [publicCred.id, secretCred.id];
  creds = await credentialServer(
    new Map([
      [publicCred.id, 'public'],
      [secretCred.id, SECRET],
    ]),
  );
  controller = await startController(
    app,
    dispatchConfig(prefix, {
      chunkProbes: 400,
      reconcileMs: 1000,
      resultsGraceMs: 3000,
      retry: { attempts: 5, backoffMs: 200 },
    }),
    logger,
  );
  workers = [startWorker(workerEnv()), startWorker(workerEnv()), startWorker(workerEnv())];
  await waitForWorkers(workers);
}, 240_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorker(w)));
  await controller?.nest.close();
  await creds?.close();
  await store?.close();
  await db?.drop();
  await startRedis();
  await deleteRedisPrefix(prefix);
}, 60_000);

describe('distributed runs on the fleet lab (3 worker processes)', () => {
  let firstRun: string;

  it('completes a run and flags exactly the hosts answering public, like the embedded sweep', async () => {
    const scan = await definition('snmp-lab', { udp: '161' });
    firstRun = await startRun(scan);
    const done = await waitFinished(firstRun, 120_000);
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    expect(done.progress.doneChunks).toBe(done.progress.chunks);
    expect(await portRows(firstRun)).toEqual({ rows: 64, distinct: 64 });
    const findings = await store.prisma.finding.findMany({
      where: { runId: firstRun, rule: 'snmp.community.public' },
    });
    expect(findings.map((f) => f.address).sort()).toEqual(expectedPublic);
    // The stored credential was really tried (hosts accepted it), and left the worker only as a label.
    const labelled = await store.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM observations WHERE run_id = $1::uuid AND data::text LIKE $2`,
      firstRun,
      `%credential:${credentialIds[1]}%`,
    );
    expect(Number(labelled[0]!.n)).toBe(acceptsSecret.length);
    // Three workers shared the run, each fetching the credentials by id.
    expect(new Set(creds.requests).size).toBe(2);
  }, 180_000);

  // Names under the lab's domain that its dnsmasq (the controller's FLEETQRY_DNS_SERVERS) answers NXDOMAIN for.
  const absent = (label: string) => `fq-absent-${label}.${truth.domain}`;
  const nxdomain = (label: string) => ({
    given: absent(label),
    error: `cannot resolve "${absent(label)}": no such name`,
  });

  it('fails a run none of whose names resolves at once, with the plan failures, and publishes run.failed', async () => {
    const scan = await definition('unresolvable', { tcp: '22' }, [absent('a'), absent('b')]);
    const res = await fetch(`${controller.url}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scanDefinitionId: scan }),
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as { id: string; status: string; hosts: number };
    expect(started).toMatchObject({ status: 'failed', hosts: 0 }); // in the start's own answer
    const run = await progress(started.id);
    expect(run).toMatchObject({ status: 'failed', hosts: 0, planFailures: [nxdomain('a'), nxdomain('b')] });
    expect(run.error).toBe(
      `no target could be probed (2 failed at plan time): ${nxdomain('a').error}; ${nxdomain('b').error}`,
    );
    expect(run.progress).toMatchObject({ totalProbes: 0, chunks: 0 });
    const queue = new Queue(QUEUES.webhooks, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    try {
      expect((await queue.getJob(runEventJobId(started.id, 'failed')))?.data).toEqual({
        runId: started.id,
        outcome: 'failed',
      });
    } finally {
      await queue.close();
    }
  }, 60_000);

  it('probes the names that resolve and records the others as plan failures', async () => {
    const present = truth.hosts.find((h) => inCidr(h.address) && h.openTcp.includes(22))!;
    const scan = await definition('some-unresolvable', { tcp: '22' }, [absent('c'), present.name]);
    const runId = await startRun(scan);
    const done = await waitFinished(runId, 120_000);
    expect(done).toMatchObject({ status: 'succeeded', error: null, hosts: 1, planFailures: [nxdomain('c')] });
    expect(await portRows(runId)).toEqual({ rows: 1, distinct: 1 });
  }, 180_000);

  it('survives a worker SIGKILLed mid-run: the run completes and every observation is stored once', async () => {
    const scan = await definition('tcp-kill', { tcp: '1-60', udp: '161' });
    const runId = await startRun(scan);
    const total = await progress(runId);
    await waitFor(
      'some chunks done',
      async () => {
        const p = await progress(runId);
        return p.progress.doneChunks >= 2 && p.progress.doneChunks < total.progress.chunks - 3;
      },
      60_000,
      100,
    );
    // Kill one that is probing right now (its chunk's lock then expires and another worker takes it).
    const victim = workers[0]!;
    await stopWorker(victim, 'SIGKILL');
    const done = await waitFinished(runId, 240_000);
    expect(done).toMatchObject({ status: 'succeeded' });
    expect(await portRows(runId)).toEqual({ rows: 64 * 61, distinct: 64 * 61 });
    // The run view's network evidence sums the chunks once each, a redone chunk too: the lab's firewalled
    // TCP ports are the cells without any answer, each after PortQry's three attempts at least.
    const firewalled = truth.hosts
      .filter((h) => inCidr(h.address))
      .reduce((n, h) => n + h.filteredTcp.filter((p) => p <= 60).length, 0);
    expect(firewalled).toBeGreaterThan(0);
    expect(done.network.undecided).toBe(firewalled);
    expect(done.network.retransmissions).toBeGreaterThanOrEqual(2 * firewalled);
    // The victim's chunk really was taken over: BullMQ saw it stall and another worker redid it.
    const probeQueue = new Queue(QUEUES.probe, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    try {
      const jobs = (await probeQueue.getJobs(['completed'])).filter((j) => j.id!.startsWith(`${runId}.`));
      expect(jobs.length).toBe(done.progress.chunks);
      expect(jobs.some((j) => j.stalledCounter > 0 || j.attemptsStarted > 1)).toBe(true);
    } finally {
      await probeQueue.close();
    }
    workers[0] = startWorker(workerEnv());
  }, 300_000);

  it('survives a Redis restart mid-run, and answers 503 at once while Redis is down', async () => {
    const scan = await definition('tcp-redis', { tcp: '1-60', udp: '161' });
    const runId = await startRun(scan);
    await waitFor(
      'some chunks done',
      async () => (await progress(runId)).progress.doneChunks >= 2,
      60_000,
      100,
    );
    stopRedis();
    await sleep(500);
    const t0 = performance.now();
    const res = await fetch(`${controller.url}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scanDefinitionId: scan }),
    });
    const elapsed = performance.now() - t0;
    expect(res.status).toBe(503);
    expect(elapsed).toBeLessThan(2000);
    await sleep(1500);
    await startRedis();
    const done = await waitFinished(runId, 240_000);
    expect(done).toMatchObject({ status: 'succeeded' });
    // Redis came back empty: the controller re-enqueued the unfinished chunks from Postgres.
    expect(logger.lines.some((l) => l.includes(`run ${runId}: re-enqueueing`))).toBe(true);
    expect(await portRows(runId)).toEqual({ rows: 64 * 61, distinct: 64 * 61 });
  }, 300_000);

  it('cancel withdraws the chunks not started and stops the run', async () => {
    const scan = await definition('tcp-cancel', { tcp: '1-200' });
    const runId = await startRun(scan);
    await sleep(500);
    const res = await fetch(`${controller.url}/runs/${runId}/cancel`, { method: 'POST' });
    const body = (await res.json()) as { status: string; cancelled: boolean; withdrawnChunks: number };
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: 'cancelled', cancelled: true });
    expect(body.withdrawnChunks).toBeGreaterThan(0);
    await sleep(1500);
    expect((await getRun(store.prisma, runId))!.status).toBe('cancelled');
  }, 60_000);

  it('keeps the secret community out of Redis, job payloads, logs and stored observations', async () => {
    const redis = await dumpRedis(prefix);
    expect(redis.keys).toBeGreaterThan(10); // completed jobs are retained (bounded): their payloads are checked
    expect(redis.text).not.toContain(SECRET);
    expect(redis.text).toContain('communityCredentialIds');
    const logs = [...logger.lines, ...workers.flatMap((w) => w.output)].join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(WORKER_TOKEN);
    const stored = await store.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM observations WHERE data::text LIKE $1 OR evidence LIKE $1`,
      `%${SECRET}%`,
    );
    expect(Number(stored[0]!.n)).toBe(0);
  });

  it('closes workers gracefully on SIGTERM', async () => {
    const w = workers.pop()!;
    const t0 = performance.now();
    await stopWorker(w, 'SIGTERM');
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(w.output.slice(-8).join('\n')).toContain('probe worker closed');
  }, 30_000);
});
