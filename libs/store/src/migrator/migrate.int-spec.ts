import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { BACKENDS, tempBackend, type TempBackend } from '../testing/backends.js';
import { createTempDir, createTempPostgres } from '../testing/temp-databases.js';
import { migrationChecksum } from './checksum.js';
import { migrate } from './migrate.js';
import { MigrationApplyError, MigrationChecksumError } from './migration-errors.js';
import { findMigrationsDir } from './migrations-dir.js';
import type { PrismaMigrationRow } from './prisma-migrations-table.js';
import { readMigrations } from './read-migrations.js';

const repoMigrations = findMigrationsDir();

/** A scratch copy of prisma/migrations the test may edit. */
async function copyMigrations(): Promise<{ dir: string; remove(): Promise<void> }> {
  const tmp = await createTempDir('fleetqry-migrations-');
  const dir = join(tmp.dir, 'migrations');
  await cp(repoMigrations, dir, { recursive: true });
  return { dir, remove: tmp.remove };
}

describe.each(BACKENDS)('migrator on %s', (kind) => {
  let backend: TempBackend;
  beforeAll(async () => {
    backend = await tempBackend(kind);
  });
  beforeEach(async () => {
    await backend.reset();
  });
  afterAll(async () => {
    await backend.destroy();
  });

  const rows = async () =>
    (await backend.conn.query<PrismaMigrationRow>('SELECT * FROM "_prisma_migrations" ORDER BY started_at'))
      .rows;

  it('applies every migration once and records it as Prisma does', async () => {
    const files = await readMigrations(repoMigrations);
    const first = await migrate(backend.conn);
    expect(first.applied).toEqual(files.map((f) => f.name));
    const recorded = await rows();
    expect(recorded).toHaveLength(files.length);
    for (const [i, row] of recorded.entries()) {
      const script = await readFile(join(repoMigrations, files[i]!.name, 'migration.sql'), 'utf8');
      expect(row.migration_name).toBe(files[i]!.name);
      expect(row.checksum).toBe(migrationChecksum(script));
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const tables = await backend.conn.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'observations'`,
    );
    expect(tables.rows[0]!.n).toBe(1);

    const again = await migrate(backend.conn);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(files.map((f) => f.name));
    expect(await rows()).toHaveLength(files.length);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const copy = await copyMigrations();
    try {
      await migrate(backend.conn, { migrationsDir: copy.dir });
      const [first] = await readMigrations(copy.dir);
      await appendFile(join(copy.dir, first!.name, 'migration.sql'), '\n-- edited after it was applied\n');
      await expect(migrate(backend.conn, { migrationsDir: copy.dir })).rejects.toThrow(
        MigrationChecksumError,
      );
      await expect(migrate(backend.conn, { migrationsDir: copy.dir })).rejects.toThrow(
        /was applied with checksum [0-9a-f]{64} but .* now has checksum/,
      );
    } finally {
      await copy.remove();
    }
  });

  it('rolls a failing migration back entirely and applies it once fixed', async () => {
    const copy = await copyMigrations();
    try {
      const bad = join(copy.dir, '29990101000000_broken');
      await mkdir(bad);
      // The first statement would succeed; the transaction must take it back with the failing second one.
      await writeFile(
        join(bad, 'migration.sql'),
        'CREATE TABLE "half" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n',
      );
      await expect(migrate(backend.conn, { migrationsDir: copy.dir })).rejects.toThrow(MigrationApplyError);
      const half = await backend.conn.query(
        `SELECT 1 FROM information_schema.tables WHERE table_name = 'half'`,
      );
      expect(half.rows).toHaveLength(0);
      const failed = (await rows()).find((r) => r.migration_name === '29990101000000_broken')!;
      expect(failed.rolled_back_at).toBeInstanceOf(Date);
      expect(failed.finished_at).toBeNull();
      expect(failed.logs).toMatch(/no_such_table/);

      await writeFile(join(bad, 'migration.sql'), 'CREATE TABLE "half" ("id" INTEGER);\n');
      const fixed = await migrate(backend.conn, { migrationsDir: copy.dir });
      expect(fixed.applied).toEqual(['29990101000000_broken']);
    } finally {
      await copy.remove();
    }
  });
});

describe('concurrent migrators on postgres', () => {
  it('apply each migration exactly once', async () => {
    const backend = await tempBackend('postgres');
    const conns = await Promise.all(Array.from({ length: 6 }, () => backend.open()));
    try {
      const results = await Promise.all(conns.map((c) => migrate(c)));
      const files = await readMigrations(repoMigrations);
      const appliedBy = results.flatMap((r) => r.applied);
      expect(appliedBy.sort()).toEqual(files.map((f) => f.name).sort());
      const recorded = await backend.conn.query<{ migration_name: string; n: number }>(
        'SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name',
      );
      expect(recorded.rows).toEqual(files.map((f) => ({ migration_name: f.name, n: 1 })));
    } finally {
      await Promise.all(conns.map((c) => c.release()));
      await backend.destroy();
    }
  });
});

describe('db:migrate CLI', () => {
  it('migrates an embedded store in --data-dir and is a no-op the second time', async () => {
    const tmp = await createTempDir();
    const run = () =>
      promisify(execFile)('npx', ['tsx', 'libs/store/src/migrator/cli.ts', '--data-dir', tmp.dir], {
        cwd: join(repoMigrations, '..', '..'),
        env: { ...process.env, DATABASE_URL: '' },
      });
    try {
      expect((await run()).stderr).toMatch(/applied 20261126000000_init/);
      expect((await run()).stderr).toMatch(/up to date \(\d+ migrations\)/);
    } finally {
      await tmp.remove();
    }
  }, 60_000);

  it('reads DATABASE_URL from DATABASE_URL_FILE (compose secrets); an unreadable file is a usage error naming it', async () => {
    const tmp = await createTempDir();
    const db = await createTempPostgres();
    const run = (env: NodeJS.ProcessEnv) =>
      promisify(execFile)('npx', ['tsx', 'libs/store/src/migrator/cli.ts'], {
        cwd: join(repoMigrations, '..', '..'),
        env: { ...process.env, DATABASE_URL: '', ...env },
      });
    try {
      const file = join(tmp.dir, 'database_url');
      await writeFile(file, `${db.url}\n`);
      const ok = await run({ DATABASE_URL_FILE: file });
      expect(ok.stderr).toMatch(/applied 20261126000000_init/);
      await expect(run({ DATABASE_URL_FILE: join(tmp.dir, 'absent') })).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/^db:migrate: DATABASE_URL_FILE: cannot read .*absent \(ENOENT\)\n$/),
      });
    } finally {
      await db.drop();
      await tmp.remove();
    }
  }, 60_000);
});
