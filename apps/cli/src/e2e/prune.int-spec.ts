import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  connectPostgres,
  createRun,
  createStore,
  ensureScanDefinition,
  finishRun,
  type FinalRunStatus,
  type Store,
} from '@fleetqry/store';

import { runCli } from './run-cli.js';

/**
 * `fleetqry prune` as a process against a store holding runs made directly through libs/store (no scan):
 * what it drops, what it must keep (queued and running runs, each scan's newest succeeded run), and that
 * the dropped runs' partitions are gone. On the embedded store and on the machine's Postgres.
 */
const PG_ADMIN_URL =
  process.env['FLEETQRY_TEST_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(sql: string): Promise<void> {
  const conn = await connectPostgres(PG_ADMIN_URL);
  try {
    await conn.query(sql);
  } finally {
    await conn.release();
  }
}

interface Seeded {
  id: string;
  number: number;
}

describe.each(['pglite', 'postgres'] as const)('fleetqry prune on %s', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetqry-prune-'));
  const dbName = `fleetqry_prune_${randomBytes(6).toString('hex')}`;
  const dbUrl = Object.assign(new URL(PG_ADMIN_URL), { pathname: `/${dbName}` }).toString();
  const target = kind === 'postgres' ? ['--database-url', dbUrl] : ['--data-dir', join(dir, 'store')];
  // Scan "a": five fresh runs; scan "b": two runs from 40 days ago.
  const a: Seeded[] = [];
  const b: Seeded[] = [];

  /** The embedded store's directory is locked while open, so every look is a short open and close. */
  async function withDb<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const store = await createStore(
      kind === 'postgres'
        ? { databaseUrl: dbUrl, migrate: true, poolSize: 2 }
        : { dataDir: join(dir, 'store') },
    );
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }

  async function addRun(store: Store, scan: string, status?: FinalRunStatus): Promise<Seeded> {
    const def = await ensureScanDefinition(store.prisma, scan);
    const { run } = await createRun(store.prisma, { trigger: 'cli', scanDefinitionId: def.id });
    await store.sql((c) =>
      c.query(
        `INSERT INTO observations (run_id, host, address, proto, port, "check", state, reason, observed_at)
         VALUES ($1::uuid, 'h1', '127.92.0.1', 'tcp', 22, 'port', 'LISTENING', 'syn-ack', now())`,
        [run.id],
      ),
    );
    if (status) await finishRun(store.prisma, run.id, { status });
    return { id: run.id, number: run.number };
  }

  /** Per seeded run still stored: its observation rows and how many of its three partitions exist. */
  async function stored(runs: Seeded[]): Promise<Map<number, { observations: number; partitions: number }>> {
    return withDb(async (store) => {
      const out = new Map<number, { observations: number; partitions: number }>();
      for (const run of runs) {
        const row = await store.sql((c) =>
          c.query<{ runs: number; observations: number; partitions: number }>(
            `SELECT (SELECT count(*)::int FROM runs WHERE id = $1::uuid) AS runs,
                    (SELECT count(*)::int FROM observations WHERE run_id = $1::uuid) AS observations,
                    (SELECT count(*)::int FROM pg_class WHERE relname = ANY($2::text[])) AS partitions`,
            [
              run.id,
              ['observations', 'run_coverage', 'findings'].map((t) => `${t}_${run.id.replace(/-/g, '')}`),
            ],
          ),
        );
        const r = row.rows[0]!;
        if (r.runs === 1) out.set(run.number, { observations: r.observations, partitions: r.partitions });
        // A dropped run leaves nothing behind.
        else expect(r).toEqual({ runs: 0, observations: 0, partitions: 0 });
      }
      return out;
    });
  }

  const numbers = (runs: Seeded[]) => runs.map((r) => r.number);
  const prune = (...args: string[]) => runCli(['prune', ...target, ...args], { env: { DATABASE_URL: '' } });

  beforeAll(async () => {
    if (kind === 'postgres') await adminQuery(`CREATE DATABASE "${dbName}"`);
    await withDb(async (store) => {
      b.push(await addRun(store, 'b', 'succeeded'), await addRun(store, 'b', 'succeeded'));
      await store.sql((c) =>
        c.query(`UPDATE runs SET created_at = now() - interval '40 days' WHERE id = ANY($1::uuid[])`, [
          b.map((r) => r.id),
        ]),
      );
      for (const status of ['succeeded', 'succeeded', 'failed', 'succeeded', 'failed'] as const)
        a.push(await addRun(store, 'a', status));
    });
  }, 120_000);

  afterAll(async () => {
    if (kind === 'postgres') await adminQuery(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad flags with exit 64 and a message naming the flag, deleting nothing', async () => {
    const cases: [string[], RegExp][] = [
      [[], /--keep-runs <n> and\/or --older-than <age>/],
      [['--keep-runs', '0'], /--keep-runs: 0 is outside 1\.\./],
      [['--keep-runs', 'two'], /--keep-runs: "two" is not a whole number/],
      [['--keep-runs', '1.5'], /--keep-runs: "1\.5" is not a whole number/],
      [['--older-than', '30'], /--older-than: "30" is not an age/],
      [['--older-than', '1y'], /--older-than: "1y" is not an age/],
      [['--older-than', '-2d'], /--older-than/],
      [['--older-than', '0d'], /--older-than: 0d is not between/],
      [['--older-than', '99999d'], /--older-than: 99999d is not between/],
      [['--keep-runs', '1', '--format', 'yaml'], /--format: "yaml" is not one of text, json/],
    ];
    // Input errors stop before the store opens, so the cases can run at once.
    const results = await Promise.all(cases.map(([args]) => prune(...args)));
    cases.forEach(([args, message], i) => {
      const r = results[i]!;
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 64, stdout: '' });
      expect(r.stderr).toMatch(message);
    });
    expect([...(await stored([...a, ...b])).keys()]).toHaveLength(7);
  }, 120_000);

  it('--dry-run lists what it would prune and deletes nothing', async () => {
    const r = await prune('--keep-runs', '2', '--dry-run', '--format', 'json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({
      dryRun: true,
      pruned: a.slice(0, 3).map(({ id, number }) => ({ id, number })),
    });
    const left = await stored([...a, ...b]);
    expect([...left.values()]).toEqual(Array(7).fill({ observations: 1, partitions: 3 }));
  }, 120_000);

  it('--older-than drops old finished runs but keeps the newest succeeded run of their scan', async () => {
    const r = await prune('--older-than', '30d');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`pruned run #${b[0]!.number} (${b[0]!.id})\npruned 1 run\n`);
    expect([...(await stored(b)).keys()]).toEqual([b[1]!.number]);
  }, 120_000);

  it('--keep-runs drops the oldest finished runs with their partitions, never the delta baseline', async () => {
    const r = await prune('--keep-runs', '2');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      `${a
        .slice(0, 3)
        .map((run) => `pruned run #${run.number} (${run.id})\n`)
        .join('')}pruned 3 runs\n`,
    );
    const left = await stored([...a, ...b]);
    expect([...left.keys()].sort((x, y) => x - y)).toEqual([...numbers(b.slice(1)), ...numbers(a.slice(3))]);
    expect([...left.values()]).toEqual(Array(3).fill({ observations: 1, partitions: 3 }));
    // a[4] (failed) is the newest finished run; a[3] is past --keep-runs 1 but is the newest succeeded one.
    const again = await prune('--keep-runs', '1', '--format', 'json');
    expect(JSON.parse(again.stdout)).toEqual({ dryRun: false, pruned: [] });
    expect([...(await stored(a)).keys()]).toEqual(numbers(a.slice(3)));
  }, 120_000);

  // The embedded store fails unfinished runs whenever it opens (its directory lock proves their process is
  // gone), so only a shared Postgres can hold a queued run while prune runs.
  (kind === 'postgres' ? it : it.skip)(
    'a queued run is never pruned and does not count toward --keep-runs',
    async () => {
      const queued = await withDb((store) => addRun(store, 'a'));
      const first = await prune('--keep-runs', '1', '--format', 'json');
      expect(JSON.parse(first.stdout)).toEqual({ dryRun: false, pruned: [] });
      expect([...(await stored([...a, queued])).keys()]).toEqual([...numbers(a.slice(3)), queued.number]);
      await withDb((store) => finishRun(store.prisma, queued.id, { status: 'failed' }));
      const second = await prune('--keep-runs', '1', '--format', 'json');
      expect(JSON.parse(second.stdout)).toEqual({
        dryRun: false,
        pruned: [{ id: a[4]!.id, number: a[4]!.number }],
      });
      expect([...(await stored([...a, queued])).keys()]).toEqual([a[3]!.number, queued.number]);
    },
    120_000,
  );
});
