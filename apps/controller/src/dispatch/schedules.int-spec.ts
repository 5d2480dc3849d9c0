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
  const fires = await queue.getJobs(['completed']);
  const runs = await store.prisma.run.findMany({ where: { scanDefinitionId: scan.id } });
  expect(fires.length).toBeGreaterThanOrEqual(3);
  expect(fires.length).toBeLessThanOrEqual(8);
  // One run per fire: the run ids the fires returned are exactly the runs, all distinct.
  expect(new Set(fires.map((f) => f.returnvalue as string))).toEqual(new Set(runs.map((r) => r.id)));
  expect(runs).toHaveLength(fires.length);
  expect(new Set(runs.map((r) => r.idempotencyKey)).size).toBe(runs.length);
  expect(
    runs.every((r) => r.trigger === 'schedule' && r.idempotencyKey!.startsWith(`schedule:repeat:`)),
  ).toBe(true);
  // The fires were processed across the replicas (any of them may take one), never one fire twice.
  const started = loggers.flatMap((l) => l.lines.filter((line) => line.includes('scheduled run')));
  expect(started).toHaveLength(runs.length);
}, 60_000);
