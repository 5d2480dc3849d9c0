import { spawnSync } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';

import {
  JOBS,
  QUEUES,
  probeChunkJobId,
  ResultBatchJobSchema,
  type JobScanConfig,
  type ProbeChunkJob,
} from '@fleetqry/contracts';
import { planScan } from '@fleetqry/probe';
import { createRun, createRunChunks, listAudit, startRun, type CreateRunInput } from '@fleetqry/store';
import { signJob, toJobConfig, type JobKeys } from '@fleetqry/sweep/jobs';
import { Queue, type Job } from 'bullmq';

import {
  deleteRedisPrefix,
  REPO_ROOT,
  startWorker,
  stopWorker,
  waitFor,
  waitForWorkers,
  WORKER_MAIN,
  type WorkerProcess,
} from '../dispatch/testing/distributed-harness.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

/**
 * Redis is a trust boundary. An attacker who can write to Redis, with no API token and no database, forges
 * probe jobs into the queue; a real worker process (apps/worker/dist) and the real controller (its credential
 * route, Postgres, audit log) must send nothing anywhere and hand out no secret. Packets are counted by an nft
 * table of this test's own on loopback addresses only it uses (removed in afterAll, even after a failure);
 * a positive control (a properly signed, in-scope job) shows the counters do count.
 */
const TABLE = `fqtest_forged_${process.pid}_${randomBytes(3).toString('hex')}`;
const NET = `127.212.${randomInt(1, 250)}`; // inside the worker's own scope
const OUTSIDE = `127.213.${randomInt(1, 250)}.9`; // loopback, but outside the worker's own scope
const ADDR = {
  unsigned: `${NET}.1`,
  badSignature: `${NET}.2`,
  outOfScope: OUTSIDE,
  otherRunsCredential: `${NET}.4`,
  control: `${NET}.5`,
} as const;
type Case = keyof typeof ADDR;
const COMMUNITY = `forged-test-community-${randomBytes(4).toString('hex')}`;
const V3_KEYS = {
  authProtocol: 'sha256',
  authKey: 'v3-auth-passphrase',
  privProtocol: 'aes',
  privKey: 'v3-priv-passphrase',
};

function nft(...args: string[]): string {
  const r = spawnSync('nft', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nft ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

function packets(): Record<Case, number> {
  const listed = JSON.parse(nft('-j', 'list', 'counters', 'table', 'inet', TABLE)) as {
    nftables: Array<{ counter?: { name: string; packets: number } }>;
  };
  const out = {} as Record<Case, number>;
  for (const e of listed.nftables) if (e.counter) out[e.counter.name as Case] = e.counter.packets;
  return out;
}

let app: TestApp;
let worker: WorkerProcess | undefined;
let probe: Queue;
let results: Queue;
let runningRun: string;
let listedCredential: string;
let otherCredential: string;
let listedV3User: string;
let otherRun: string;
let baseConfig: JobScanConfig;

const jobConfig = (credentialIds: string[]): JobScanConfig => ({
  ...baseConfig,
  communityCredentialIds: credentialIds,
});

function chunk(runId: string, address: string, credentialIds: string[] = []): ProbeChunkJob {
  return {
    runId,
    chunkIndex: 0,
    targets: [{ host: address, address, family: 4 }],
    probes: 3,
    config: jobConfig(credentialIds),
  };
}

/** Adds a job as an attacker with Redis access would: straight into the queue, one attempt. */
async function forge(data: unknown, id: string): Promise<Job> {
  return probe.add(JOBS.probeChunk, data, { jobId: id, attempts: 1 });
}

async function settled(job: Job): Promise<{ state: string; job: Job }> {
  const state = await waitFor(
    `job ${job.id} to finish`,
    async () => {
      const s = await job.getState();
      return s === 'completed' || s === 'failed' ? s : undefined;
    },
    30_000,
  );
  return { state, job: (await probe.getJob(job.id!))! };
}

beforeAll(async () => {
  // A job config as the planner makes it; its own scope lets everything through, so only the signature and
  // the worker's own scope can stop a forged job.
  const planned = await planScan({
    targets: [ADDR.control],
    ports: { tcp: '7-9' },
    scope: { allow: ['0.0.0.0/0'], deny: [] },
    maxHosts: 1,
    noReverse: true,
    dnsServers: [],
    queries: [],
    tcpAttempts: 1,
    timing: { maxTimeoutMs: 500, initialTimeoutMs: 300 },
  });
  baseConfig = toJobConfig(planned.config, []);
  nft('add', 'table', 'inet', TABLE);
  nft('add', 'chain', 'inet', TABLE, 'out', '{ type filter hook output priority 0; policy accept; }');
  for (const [name, address] of Object.entries(ADDR)) {
    nft('add', 'counter', 'inet', TABLE, name);
    nft('add', 'rule', 'inet', TABLE, 'out', 'ip', 'daddr', address, 'counter', 'name', name);
  }
  // No queue processing in the controller: the results stay in Redis for the test to read.
  app = await startTestApp({ FLEETQRY_DISPATCH_WORKERS: 'false' });
  const connection = { host: '127.0.0.1', port: 6379 };
  probe = new Queue(QUEUES.probe, { connection, prefix: app.config.queuePrefix });
  results = new Queue(QUEUES.results, { connection, prefix: app.config.queuePrefix });

  const credential = async (name: string) =>
    (
      await app.call('POST', '/credentials', {
        body: { kind: 'snmp-community', name, secret: `${COMMUNITY}-${name}` },
      })
    ).body.id as string;
  listedCredential = await credential('listed');
  otherCredential = await credential('other-run');
  listedV3User = (
    await app.call('POST', '/credentials', {
      body: { kind: 'snmp-v3-user', name: 'listed-v3', user: 'fq-v3', ...V3_KEYS },
    })
  ).body.id as string;
  // A running run with one open chunk whose frozen plan lists its credentials (as the planner writes it).
  const plan = { job: jobConfig([listedCredential, listedV3User]) } as unknown as CreateRunInput['plan'];
  const { run } = await createRun(app.store.prisma, { trigger: 'manual', plan });
  await createRunChunks(app.store.prisma, run.id, [
    { chunkIndex: 0, targets: [], hosts: 1, probes: 3 },
    { chunkIndex: 1, targets: [], hosts: 1, probes: 3 },
  ]);
  await app.store.prisma.runChunk.update({
    where: { runId_chunkIndex: { runId: run.id, chunkIndex: 1 } },
    data: { doneAt: new Date() },
  });
  runningRun = (await startRun(app.store.prisma, run.id)).id;
  // A second run, not running (queued), whose plan lists the other credential.
  const other = await createRun(app.store.prisma, {
    trigger: 'manual',
    plan: { job: jobConfig([otherCredential]) } as unknown as CreateRunInput['plan'],
  });
  otherRun = other.run.id;
  await createRunChunks(app.store.prisma, otherRun, [{ chunkIndex: 0, targets: [], hosts: 1, probes: 3 }]);

  worker = startWorker({
    REDIS_URL: 'redis://127.0.0.1:6379',
    FLEETQRY_QUEUE_PREFIX: app.config.queuePrefix,
    FLEETQRY_CONTROLLER_URL: app.url,
    FLEETQRY_WORKER_TOKEN: app.workerToken,
    FLEETQRY_JOB_KEY: app.config.jobKeys.current,
    FLEETQRY_SCOPE_ALLOW: '127.212.0.0/16',
    FLEETQRY_TCP_ENGINE: 'connect',
  });
  await waitForWorkers([worker]);
}, 180_000);

afterAll(async () => {
  spawnSync('nft', ['delete', 'table', 'inet', TABLE], { stdio: 'ignore' });
  if (worker) await stopWorker(worker);
  await probe?.close();
  await results?.close();
  if (app) await deleteRedisPrefix(app.config.queuePrefix);
  await app?.close();
}, 60_000);

describe('forged probe jobs (Redis write access only)', () => {
  const wrongKey: JobKeys = { current: randomBytes(32).toString('base64url') };

  it('refuses unsigned and wrongly signed jobs at once (no retry), counted, sending nothing', async () => {
    const unsigned = await settled(await forge(chunk(runningRun, ADDR.unsigned), 'forged-unsigned'));
    const badSig = await settled(
      await forge(signJob(JOBS.probeChunk, chunk(runningRun, ADDR.badSignature), wrongKey), 'forged-bad-sig'),
    );
    // Valid envelope, job changed after signing.
    const signed = signJob(JOBS.probeChunk, chunk(runningRun, ADDR.control), app.config.jobKeys);
    const tampered = await settled(
      await forge({ ...signed, job: chunk(runningRun, ADDR.badSignature) }, 'forged-tampered'),
    );
    for (const { state, job } of [unsigned, badSig, tampered]) {
      expect(state).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(
        /refused, the job (is not a signed envelope|signature does not match)/,
      );
    }
    const port = await waitFor(
      'worker health port',
      async () =>
        /"port":(\d+)/.exec(worker!.output.find((l) => l.includes('health and metrics')) ?? '')?.[1],
      5_000,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // Refusing jobs is not a health problem: the worker stays live and ready.
    for (const path of ['/health/live', '/health/ready'])
      expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(200);
    expect(metrics).toMatch(/fleetqry_worker_jobs_rejected_total\{reason="unsigned"\} 1/);
    expect(metrics).toMatch(/fleetqry_worker_jobs_rejected_total\{reason="bad-signature"\} 2/);
    expect(packets()).toMatchObject({ unsigned: 0, badSignature: 0, control: 0 });
  });

  it('a signed job cannot reach outside the worker’s own scope', async () => {
    const job = signJob(JOBS.probeChunk, chunk(randomUUID(), ADDR.outOfScope), app.config.jobKeys);
    const { state } = await settled(await forge(job, 'signed-out-of-scope'));
    expect(state).toBe('completed');
    const batches = (await results.getJobs(['waiting', 'delayed', 'prioritized'], 0, 1000)).map((j) =>
      ResultBatchJobSchema.parse(j.data),
    );
    const refused = batches.filter((b) => b.runId === job.job.runId).flatMap((b) => b.failures);
    expect(refused).toEqual([
      expect.objectContaining({
        address: ADDR.outOfScope,
        error: expect.stringMatching(/outside the scope allowlist \(127\.212\.0\.0\/16\)/),
      }),
    ]);
    expect(packets().outOfScope).toBe(0);
  });

  it('a signed job naming another run’s credential gets no secret and probes nothing; refusal audited', async () => {
    const job = signJob(
      JOBS.probeChunk,
      chunk(runningRun, ADDR.otherRunsCredential, [otherCredential]),
      app.config.jobKeys,
    );
    const { state, job: done } = await settled(await forge(job, 'signed-other-credential'));
    expect(state).toBe('failed');
    expect(done.failedReason).toMatch(/HTTP 403/);
    expect(packets().otherRunsCredential).toBe(0);
    const audit = await listAudit(app.store.prisma, { limit: 100 });
    const reads = audit.filter((a) => a.action === 'credential.read');
    expect(reads.filter((a) => a.outcome === 'allowed')).toEqual([]);
    expect(reads).toEqual([
      expect.objectContaining({
        outcome: 'denied',
        target: otherCredential,
        actor: expect.stringMatching(/^worker:.+\/\d+$/),
        details: expect.objectContaining({
          run: runningRun,
          chunk: 0,
          worker: expect.stringMatching(/\/\d+$/),
          reason: "the run's plan does not list this credential",
        }),
      }),
    ]);
    expect(JSON.stringify(audit.map((a) => ({ ...a, id: String(a.id) })))).not.toContain(COMMUNITY);
  });

  it('control: a properly signed in-scope job is probed (the counters count) and gets its listed credential', async () => {
    const job = signJob(
      JOBS.probeChunk,
      chunk(runningRun, ADDR.control, [listedCredential]),
      app.config.jobKeys,
    );
    const { state } = await settled(await forge(job, probeChunkJobId(runningRun, 0)));
    expect(state).toBe('completed');
    const counted = packets();
    expect(counted.control).toBeGreaterThanOrEqual(3); // one SYN to each of TCP 7-9 at least
    expect(counted).toMatchObject({ unsigned: 0, badSignature: 0, outOfScope: 0, otherRunsCredential: 0 });
    const allowed = await listAudit(app.store.prisma, { outcome: 'allowed', limit: 100 });
    expect(allowed.filter((a) => a.action === 'credential.read')).toEqual([
      expect.objectContaining({
        target: listedCredential,
        details: expect.objectContaining({ run: runningRun, chunk: 0 }),
      }),
    ]);
  });
});

describe('the credential route serves only planned work, to a worker', () => {
  const get = (id: string, query: string, opts: { token?: string | null; worker?: string | null } = {}) =>
    fetch(`${app.url}/internal/credentials/${id}${query}`, {
      headers: {
        ...(opts.token !== null ? { authorization: `Bearer ${opts.token ?? app.workerToken}` } : {}),
        ...(opts.worker !== null ? { 'x-fleetqry-worker': opts.worker ?? 'test-worker/1' } : {}),
      },
    });

  it('serves a listed credential for an open chunk of a running run', async () => {
    const r = await get(listedCredential, `?run=${runningRun}&chunk=0`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      kind: 'snmp-community',
      secret: `${COMMUNITY}-listed`,
      principal: null,
    });
  });

  it('serves an SNMPv3 user as its user name and sealed protocols and keys', async () => {
    const r = await get(listedV3User, `?run=${runningRun}&chunk=0`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { kind: string; secret: string; principal: string };
    expect(body).toMatchObject({ kind: 'snmp-v3-user', principal: 'fq-v3' });
    expect(JSON.parse(body.secret)).toEqual(V3_KEYS);
  });

  it('403 for another run’s credential, a done chunk, a missing chunk, a run not running, no worker id', async () => {
    const cases: Array<[string, string, { worker?: string | null }, RegExp]> = [
      [otherCredential, `?run=${runningRun}&chunk=0`, {}, /plan does not list/],
      [listedCredential, `?run=${runningRun}&chunk=1`, {}, /chunk is done/],
      [listedCredential, `?run=${runningRun}&chunk=7`, {}, /no such chunk/],
      [otherCredential, `?run=${otherRun}&chunk=0`, {}, /the run is queued/],
      [otherCredential, `?run=${randomUUID()}&chunk=0`, {}, /no such run/],
      [listedCredential, `?run=${runningRun}&chunk=0`, { worker: null }, /x-fleetqry-worker/],
      [listedCredential, `?run=${runningRun}&chunk=0`, { worker: 'bad worker id!' }, /x-fleetqry-worker/],
    ];
    for (const [id, query, opts, reason] of cases) {
      const r = await get(id, query, opts);
      const body = await r.text();
      expect([r.status, body]).toEqual([403, expect.stringMatching(reason)]);
      expect(body).not.toContain(COMMUNITY);
    }
    const denied = (await listAudit(app.store.prisma, { outcome: 'denied', limit: 200 })).filter(
      (a) =>
        a.action === 'credential.read' && (a.details as { worker?: unknown } | null)?.worker !== undefined,
    );
    expect(denied.length).toBeGreaterThanOrEqual(cases.length);
  });

  it('an API token is not a worker token (401); a request naming no chunk is a 400', async () => {
    expect(
      (await get(listedCredential, `?run=${runningRun}&chunk=0`, { token: app.adminToken })).status,
    ).toBe(401);
    const bare = await get(listedCredential, '');
    expect(bare.status).toBe(400);
    expect(await bare.text()).toMatch(/run/);
  });
});

describe('both apps refuse to start without the job key', () => {
  it('worker and controller exit 78 with one line naming FLEETQRY_JOB_KEY', () => {
    const worker = spawnSync(process.execPath, [WORKER_MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        FLEETQRY_CONTROLLER_URL: 'http://127.0.0.1:9',
        FLEETQRY_WORKER_TOKEN: 'w'.repeat(32),
        FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect([worker.status, worker.stderr.trim()]).toEqual([
      78,
      expect.stringMatching(/^fleetqry worker: FLEETQRY_JOB_KEY is not set/),
    ]);
    expect(worker.stderr.trim().split('\n')).toHaveLength(1);
    const controller = spawnSync(process.execPath, [join(REPO_ROOT, 'apps/controller/dist/main.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none',
        REDIS_URL: 'redis://127.0.0.1:9',
        FLEETQRY_CREDENTIAL_KEY: randomBytes(32).toString('base64'),
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(controller.status).toBe(78);
    expect(controller.stderr.trim()).toMatch(
      /^fleetqry controller: invalid controller configuration: FLEETQRY_JOB_KEY is not set/,
    );
    expect(controller.stderr.trim().split('\n')).toHaveLength(1);
  });
});
