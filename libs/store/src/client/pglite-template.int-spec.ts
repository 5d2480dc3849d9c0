import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';

import { findMigrationsDir } from '../migrator/migrations-dir.js';
import { createTempDir } from '../testing/temp-databases.js';
import { createStore } from './create-store.js';
import { buildPgliteTemplate, seedFromTemplate } from './pglite-template.js';

describe('embedded database template', () => {
  let tmp: Awaited<ReturnType<typeof createTempDir>>;
  let template: string;
  beforeAll(async () => {
    tmp = await createTempDir();
    template = join(tmp.dir, 'template');
    await buildPgliteTemplate(template);
  }, 120_000);
  afterAll(async () => {
    await tmp.remove();
  });

  it('seeds a new data directory with every migration applied', async () => {
    const pgdata = join(tmp.dir, 'a', 'pglite');
    expect(await seedFromTemplate(pgdata, template)).toBe(true);
    const db = await PGlite.create(pgdata);
    try {
      const applied = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`,
      );
      const { readdirSync } = await import('node:fs');
      const migrations = readdirSync(findMigrationsDir()).filter((d) => /^\d+_/.test(d));
      expect(applied.rows[0]!.n).toBe(migrations.length);
    } finally {
      await db.close();
    }
    // A data directory that exists is never overwritten.
    expect(await seedFromTemplate(pgdata, template)).toBe(false);
  }, 60_000);

  it('is not used when another PGlite version made it, or when it is missing', async () => {
    const marker = join(template, 'fleetqry-template.json');
    const original = readFileSync(marker, 'utf8');
    writeFileSync(marker, JSON.stringify({ pglite: '0.0.1' }));
    try {
      expect(await seedFromTemplate(join(tmp.dir, 'b', 'pglite'), template)).toBe(false);
      expect(existsSync(join(tmp.dir, 'b', 'pglite'))).toBe(false);
    } finally {
      writeFileSync(marker, original);
    }
    expect(await seedFromTemplate(join(tmp.dir, 'c', 'pglite'), join(tmp.dir, 'no-template'))).toBe(false);
  });

  it('opens as a store that needs no migration (the build made the template)', async () => {
    const store = await createStore({ dataDir: join(tmp.dir, 'd') });
    try {
      expect(store.migrations?.applied).toEqual([]);
      expect(await store.prisma.run.count()).toBe(0);
    } finally {
      await store.close();
    }
  }, 60_000);
});
