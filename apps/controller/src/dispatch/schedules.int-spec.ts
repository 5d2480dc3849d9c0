import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QUEUES, scheduleJobSchedulerId } from '@fleetqry/contracts';
import { createInventory, createScanDefinition, createStore, type Store } from '@fleetqry/store';
import { Queue } from 'bullmq';

import {
  appConfig,
  CapturingLogger,
  deleteRedisPrefix,
  dispatchConfig,
  sleep,
  uniquePrefix,
  tempPostgres,
} from './testing/distributed-harness.js';
import { ConfigModule } from '../config/config.module.js';
import { StoreModule } from '../store/store.module.js';
import { DispatchModule } from './dispatch.module.js';

/**
 * Three controller replicas (three Nest contexts of the dispatch module, one Postgres, one Redis) start at
 * once with one scheduled scan: exactly one job scheduler exists in Redis, and every fire starts exactly
 * one run. A fast cron (every second) stands in for the nightly one.
 */
const prefix = uniquePrefix('sched');
let db: { url: string; drop(): Promise<void> };
let store: Store;
let queue: Queue;

beforeAll(async () => {
  db = await tempPostgres();
  store = await createStore({ databaseUrl: db.url, migrate: true });
  queue = new Queue(QUEUES.schedules, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
});

afterAll(async () => {
  await queue.close();
  await store.close();
  await db.drop();
  await deleteRedisPrefix(prefix);
});

it('three replicas: one scheduler in Redis, one run per fire', async () => {
  const inventory = await createInventory(store.prisma, {
    name: 'one-host',
    document: { version: 1, targets: ['127.30.0.1'], ports: { udp: '161' } },
  });
  const scan = await createScanDefinition(store.prisma, {
    name: 'every-second',
    inventoryId: inventory.id,
    schedule: '* * * * * *',
    timezone: 'Europe/Paris',
  });
  const app = appConfig(db.url, prefix);
  const config = dispatchConfig(prefix, { reconcileMs: 1000 });
  @Module({ imports: [ConfigModule.register(app), StoreModule, DispatchModule.register(config)] })
  class ReplicaModule {}
  const loggers = [new CapturingLogger(), new CapturingLogger(), new CapturingLogger()];
  const replicas: INestApplicationContext[] = await Promise.all(
    loggers.map(async (logger) => {
      const ctx = await NestFactory.createApplicationContext(ReplicaModule, { logger });
      await ctx.init();
      return ctx;
    }),
  );
  try {
    expect(await queue.getJobSchedulersCount()).toBe(1);
    expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual([scheduleJobSchedulerId(scan.id)]);
    await sleep(5_500);
  } finally {
    await Promise.all(replicas.map((r) => r.close()));
  }
  // Fires in any state: a replica closing mid-fire can leave a fire unfinished whose run already exists
  // (its retry maps to the same run through the idempotency key).
  const fires = await queue.getJobs(['completed', 'active', 'failed', 'waiting', 'delayed', 'prioritized']);
  const completed = fires.filter((f) => f.finishedOn && !f.failedReason);
  const runs = await store.prisma.run.findMany({ where: { scanDefinitionId: scan.id } });
  expect(completed.length).toBeGreaterThanOrEqual(3);
  expect(fires.length).toBeLessThanOrEqual(8);
  // One run per fire: every run comes from a distinct fire, and every finished fire returned its run.
  expect(new Set(runs.map((r) => r.idempotencyKey)).size).toBe(runs.length);
  expect(runs.every((r) => fires.some((f) => r.idempotencyKey === `schedule:${f.id}`))).toBe(true);
  const runIds = new Set(runs.map((r) => r.id));
  expect(completed.every((f) => runIds.has(f.returnvalue as string))).toBe(true);
  expect(runs.length).toBeGreaterThanOrEqual(completed.length);
  expect(runs.length).toBeLessThanOrEqual(fires.length);
  expect(
    runs.every((r) => r.trigger === 'schedule' && r.idempotencyKey!.startsWith(`schedule:repeat:`)),
  ).toBe(true);
  // The fires were processed across the replicas (any of them may take one), never one fire twice.
  const started = loggers.flatMap((l) => l.lines.filter((line) => line.includes('scheduled run')));
  expect(started).toHaveLength(runs.length);
}, 60_000);
