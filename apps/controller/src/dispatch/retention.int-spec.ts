import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  connectPostgres,
  createRun,
  createStore,
  ensureScanDefinition,
  finishRun,
  type FinalRunStatus,
  type Store,
} from '@fleetqry/store';

import { ConfigModule } from '../config/config.module.js';
import { StoreModule } from '../store/store.module.js';
import { loadDispatchConfig, type DispatchConfig } from './dispatch-config.js';
import { DispatchModule } from './dispatch.module.js';
import { RetentionService } from './retention.service.js';
import {
  appConfig,
  CapturingLogger,
  deleteRedisPrefix,
  dispatchConfig,
  sleep,
  tempPostgres,
  uniquePrefix,
  waitFor,
} from './testing/distributed-harness.js';

describe('FLEETQRY_RETENTION_RUNS / FLEETQRY_RETENTION_DAYS', () => {
  const load = (env: Record<string, string>) =>
    loadDispatchConfig({ redis: { host: '127.0.0.1', port: 6379 }, queuePrefix: 'fleetqry' }, env).retention;

  it('unset or blank keeps every run; a whole number ≥ 1 sets it; anything else names the variable', () => {
    expect(load({})).toEqual({ keepRuns: undefined, olderThanDays: undefined });
    expect(load({ FLEETQRY_RETENTION_RUNS: '', FLEETQRY_RETENTION_DAYS: '' })).toEqual({});
    expect(load({ FLEETQRY_RETENTION_RUNS: '30', FLEETQRY_RETENTION_DAYS: '90' })).toEqual({
      keepRuns: 30,
      olderThanDays: 90,
    });
    for (const [name, value] of [
      ['FLEETQRY_RETENTION_RUNS', '0'],
      ['FLEETQRY_RETENTION_RUNS', '2.5'],
      ['FLEETQRY_RETENTION_RUNS', 'all'],
      ['FLEETQRY_RETENTION_DAYS', '-1'],
      ['FLEETQRY_RETENTION_DAYS', '99999'],
    ] as const) {
      expect(() => load({ [name]: value })).toThrow(new RegExp(`${name}: `));
    }
  });
});

/**
 * Controller replicas (Nest contexts of the dispatch module on one Postgres and Redis, as in
 * schedules.int-spec) prune through their reconcilers; runs are made directly through libs/store.
 */
describe('retention in the controller', () => {
  const prefix = uniquePrefix('retention');
  let db: { url: string; drop(): Promise<void> };
  let store: Store;

  beforeAll(async () => {
    db = await tempPostgres();
    store = await createStore({ databaseUrl: db.url, migrate: true, poolSize: 4 });
  });

  afterAll(async () => {
    await store.close();
    await db.drop();
    await deleteRedisPrefix(prefix);
  });

  interface Seeded {
    id: string;
    number: number;
  }

  async function addRun(scan: string, status?: FinalRunStatus, daysAgo = 0): Promise<Seeded> {
    const def = await ensureScanDefinition(store.prisma, scan);
    const { run } = await createRun(store.prisma, { trigger: 'schedule', scanDefinitionId: def.id });
    if (daysAgo > 0) {
      await store.prisma.run.update({
        where: { id: run.id },
        data: { createdAt: new Date(Date.now() - daysAgo * 86_400_000) },
      });
    }
    if (status) await finishRun(store.prisma, run.id, { status });
    return { id: run.id, number: run.number };
  }

  const partitionNames = (run: Seeded) =>
    ['observations', 'run_coverage', 'findings'].map((t) => `${t}_${run.id.replace(/-/g, '')}`);

  /** The numbers of `runs` still stored; a run that is gone must have no partition left either. */
  async function left(runs: Seeded[]): Promise<number[]> {
    const out: number[] = [];
    for (const run of runs) {
      const { rows } = await store.sql((c) =>
        c.query<{ runs: number; partitions: number }>(
          `SELECT (SELECT count(*)::int FROM runs WHERE id = $1::uuid) AS runs,
                  (SELECT count(*)::int FROM pg_class WHERE relname = ANY($2::text[])) AS partitions`,
          [run.id, partitionNames(run)],
        ),
      );
      expect(rows[0]).toEqual(rows[0]!.runs === 1 ? { runs: 1, partitions: 3 } : { runs: 0, partitions: 0 });
      if (rows[0]!.runs === 1) out.push(run.number);
    }
    return out;
  }

  /** Waits for the stored runs to become `expected`, lets a few more ticks pass, then compares. */
  async function expectLeft(runs: Seeded[], expected: Seeded[]): Promise<void> {
    const want = JSON.stringify(expected.map((r) => r.number));
    await waitFor('retention', async () => JSON.stringify(await left(runs)) === want, 20_000).catch(
      () => undefined,
    );
    await sleep(1_000);
    expect(await left(runs)).toEqual(expected.map((r) => r.number));
  }

  async function startReplica(config: DispatchConfig, logger: CapturingLogger) {
    @Module({
      imports: [
        ConfigModule.register(appConfig(db.url, prefix)),
        StoreModule,
        DispatchModule.register(config),
      ],
    })
    class ReplicaModule {}
    const ctx = await NestFactory.createApplicationContext(ReplicaModule, { logger });
    await ctx.init();
    return ctx;
  }

  const retention = { keepRuns: 2, olderThanDays: 30 };

  it('replicas prune after start and after a run succeeds, per the setting; each scan keeps its newest succeeded run', async () => {
    const [a1, a2, a3, a4, a5] = [
      await addRun('a', 'succeeded'),
      await addRun('a', 'succeeded'),
      await addRun('a', 'failed'),
      await addRun('a', 'succeeded'),
      await addRun('a', 'failed'),
    ];
    // Queued: neither pruned nor counted among the two finished runs kept.
    const a6 = await addRun('a');
    // b1 is past 30 days; c1 too, but it is its scan's newest succeeded run (the next delta's baseline).
    const b1 = await addRun('b', 'succeeded', 40);
    const b2 = await addRun('b', 'succeeded');
    const c1 = await addRun('c', 'succeeded', 40);
    const all = [a1, a2, a3, a4, a5, a6, b1, b2, c1];

    const loggers = [new CapturingLogger(), new CapturingLogger(), new CapturingLogger()];
    const config = dispatchConfig(prefix, { reconcileMs: 200, retention });
    const replicas: INestApplicationContext[] = await Promise.all(
      loggers.map((logger) => startReplica(config, logger)),
    );
    const log = () => loggers.flatMap((l) => l.lines);
    let a7: Seeded;
    try {
      await expectLeft(all, [a4, a5, a6, b2, c1]);
      // A new success makes a4 one run too many, and no longer the baseline.
      a7 = await addRun('a', 'succeeded');
      await expectLeft([...all, a7], [a5, a6, b2, c1, a7]);
      // No replica's prune or tick failed (read before closing: a tick cut short by the close is not one).
      expect(log().filter((l) => /^warn .*(retention|reconcile)/.test(l))).toEqual([]);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
    // Each pruned run is logged once, by whichever replica dropped it (the others found nothing left).
    const lines = log().filter((l) => l.includes('retention pruned'));
    for (const run of [a1, a2, a3, b1, a4])
      expect(lines.filter((l) => l.includes(`#${run.number} (${run.id})`))).toHaveLength(1);
    expect(lines.join('\n')).not.toMatch(new RegExp([a5, a6, b2, c1, a7].map((r) => r.id).join('|')));
  }, 60_000);

  it('completes a prune interrupted mid-detach (a controller killed during DETACH … CONCURRENTLY)', async () => {
    const [d1, d2, d3] = [
      await addRun('d', 'succeeded'),
      await addRun('d', 'succeeded'),
      await addRun('d', 'succeeded'),
    ];
    const part = partitionNames(d1)[0]!;
    // A reader holds the table, so the detach waits in its second phase, where it is cancelled.
    const reader = await connectPostgres(db.url);
    const detacher = await connectPostgres(db.url);
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM observations');
      const { rows } = await detacher.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]!.pid;
      const detaching = detacher
        .query(`ALTER TABLE observations DETACH PARTITION "${part}" CONCURRENTLY`)
        .then(
          () => 'detached',
          (e: Error) => e.message,
        );
      await waitFor(
        'the detach to wait for the reader',
        async () =>
          (
            await store.sql((c) =>
              c.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid]),
            )
          ).rows.length > 0,
        10_000,
      );
      await store.sql((c) => c.query('SELECT pg_cancel_backend($1)', [pid]));
      expect(await detaching).toMatch(/canceling statement/);
    } finally {
      await reader.query('ROLLBACK');
      await reader.release();
      await detacher.release();
    }
    const pending = await store.sql((c) =>
      c.query<{ pending: boolean }>(
        `SELECT i.inhdetachpending AS pending FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = $1`,
        [part],
      ),
    );
    expect(pending.rows).toEqual([{ pending: true }]);

    // The timer never fires here: the prune is this test's call.
    const ctx = await startReplica(
      dispatchConfig(prefix, { reconcileMs: 3_600_000, retention }),
      new CapturingLogger(),
    );
    try {
      expect(await ctx.get(RetentionService).pruneIfDue()).toEqual([{ id: d1.id, number: d1.number }]);
    } finally {
      await ctx.close();
    }
    expect(await left([d1, d2, d3])).toEqual([d2.number, d3.number]);
  }, 60_000);
});
