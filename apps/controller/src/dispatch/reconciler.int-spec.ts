import { JOBS, probeChunkJobId, QUEUES, runEventJobId } from '@fleetqry/contracts';
import { planScan } from '@fleetqry/probe';
import {
  createRun,
  createRunChunks,
  createStore,
  ensureScanDefinition,
  getRun,
  startRun,
  type CreateRunInput,
  type NewRunChunk,
  type Store,
} from '@fleetqry/store';
import { toJobConfig } from '@fleetqry/sweep/jobs';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';

import { ReconcilerService } from './reconciler.service.js';
import {
  appConfig,
  CapturingLogger,
  deleteRedisPrefix,
  dispatchConfig,
  startController,
  tempPostgres,
  uniquePrefix,
} from './testing/distributed-harness.js';

/**
 * One bad run never stalls the others: in a single reconcile pass, a run whose reconciliation throws on
 * every pass (its frozen plan is broken, so its lost chunk cannot be rebuilt) is logged and left, and the
 * runs after it are still recovered: an interrupted evaluation is completed, a chunk Redis lost is
 * enqueued again, and a run without any chunk (every name failed to resolve) is failed with its plan
 * failures. Real Postgres and Redis; no worker is needed, and the controller processes no queue (the pass
 * is the test's).
 */
const prefix = uniquePrefix('reconcile');
const logger = new CapturingLogger();
const connection = { host: '127.0.0.1', port: 6379 };
const UNRESOLVED = {
  given: 'fq-absent.lab.fleetqry.test',
  error: 'cannot resolve "fq-absent.lab.fleetqry.test": no such name',
};
let db: { url: string; drop(): Promise<void> };
let store: Store;
let controller: { nest: INestApplication; url: string };
let probe: Queue;
let webhooks: Queue;

const chunk = (chunkIndex: number): NewRunChunk => ({
  chunkIndex,
  targets: [{ host: '127.0.0.1', address: '127.0.0.1', family: 4 }],
  hosts: 1,
  probes: 1,
});

/** A running distributed run as StartRunUseCase leaves it: its plan, its chunks, started. */
async function runningRun(plan: object, chunks: NewRunChunk[], extra: Partial<CreateRunInput> = {}) {
  const { run } = await createRun(store.prisma, {
    trigger: 'manual',
    plan,
    hosts: chunks.length,
    totalProbes: chunks.length,
    ...extra,
  });
  await createRunChunks(store.prisma, run.id, chunks);
  return startRun(store.prisma, run.id);
}

beforeAll(async () => {
  db = await tempPostgres();
  store = await createStore({ databaseUrl: db.url, migrate: true });
  controller = await startController(
    appConfig(db.url, prefix),
    dispatchConfig(prefix, { processQueues: false, resultsGraceMs: 1000 }),
    logger,
  );
  probe = new Queue(QUEUES.probe, { connection, prefix });
  webhooks = new Queue(QUEUES.webhooks, { connection, prefix });
}, 60_000);

afterAll(async () => {
  await probe?.close();
  await webhooks?.close();
  await controller?.nest.close();
  await store?.close();
  await db?.drop();
  await deleteRedisPrefix(prefix);
}, 60_000);

describe('the reconciler isolates failures per run', () => {
  it('a run that throws on every pass does not keep later runs from being recovered in the same pass', async () => {
    const planned = await planScan({
      targets: ['127.0.0.1'],
      ports: { tcp: '9' },
      scope: { allow: ['127.0.0.0/8'], deny: [] },
      maxHosts: 1,
      noReverse: true,
      dnsServers: [],
    });
    const job = toJobConfig(planned.config, []);
    const definition = await ensureScanDefinition(store.prisma, 'reconcile-test');

    // Reconciled first (lowest number): its chunk's job is missing and cannot be rebuilt from its plan.
    const broken = await runningRun({ job: { ports: 'not a job config' } }, [chunk(0)]);
    // Every chunk is in, the evaluation never ran (the controller died in between).
    const evaluating = await runningRun({ job, policyHosts: [] }, [chunk(0)], {
      scanDefinitionId: definition.id,
      policyName: 'baseline',
    });
    await store.prisma.runChunk.updateMany({ where: { runId: evaluating.id }, data: { doneAt: new Date() } });
    await store.prisma.run.update({
      where: { id: evaluating.id },
      data: { heartbeatAt: new Date(Date.now() - 60_000) },
    });
    // Its chunk's job was lost with Redis.
    const lost = await runningRun({ job }, [chunk(0), chunk(1)]);
    // Nothing to probe: every name failed to resolve, and the start was interrupted before failing it.
    const unresolved = await runningRun({ job, chunks: 0, planFailures: [UNRESOLVED] }, []);

    await controller.nest.get(ReconcilerService).tick();

    // The broken run threw (logged) and is left as it was.
    expect(logger.lines.filter((l) => l.includes(`run ${broken.id}: reconcile failed:`))).toHaveLength(1);
    expect((await getRun(store.prisma, broken.id))!.status).toBe('running');
    expect(await probe.getJob(probeChunkJobId(broken.id, 0))).toBeUndefined();
    // Every later run was handled in that same pass.
    expect(await getRun(store.prisma, evaluating.id)).toMatchObject({ status: 'succeeded', error: null });
    for (const index of [0, 1]) {
      const requeued = await probe.getJob(probeChunkJobId(lost.id, index));
      expect(requeued?.name).toBe(JOBS.probeChunk);
      expect(await requeued!.getState()).toBe('waiting');
    }
    expect(await getRun(store.prisma, lost.id)).toMatchObject({ status: 'running' });
    expect(await getRun(store.prisma, unresolved.id)).toMatchObject({
      status: 'failed',
      error: `no target could be probed (1 failed at plan time): ${UNRESOLVED.error}`,
    });
    // Their outcomes went to the webhooks queue, once each.
    expect((await webhooks.getJob(runEventJobId(evaluating.id, 'completed')))?.data).toEqual({
      runId: evaluating.id,
      outcome: 'completed',
    });
    expect((await webhooks.getJob(runEventJobId(unresolved.id, 'failed')))?.data).toEqual({
      runId: unresolved.id,
      outcome: 'failed',
    });

    // The next pass: the broken run throws again, alone; nothing else changes.
    await controller.nest.get(ReconcilerService).tick();
    expect(logger.lines.filter((l) => l.includes(`run ${broken.id}: reconcile failed:`))).toHaveLength(2);
    expect(logger.lines.filter((l) => l.includes('reconcile failed:'))).toHaveLength(2);
    expect((await getRun(store.prisma, lost.id))!.status).toBe('running');
  }, 60_000);
});
