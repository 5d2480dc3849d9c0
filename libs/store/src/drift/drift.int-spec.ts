import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { migrate } from '../migrator/migrate.js';
import { findMigrationsDir } from '../migrator/migrations-dir.js';
import { BACKENDS, tempBackend, type TempBackend } from '../testing/backends.js';
import { checkSchemaDrift } from './check-drift.js';

const schema = readFileSync(join(dirname(findMigrationsDir()), 'schema.prisma'), 'utf8');

describe.each(BACKENDS)('schema.prisma vs the migrated database on %s', (kind) => {
  let backend: TempBackend;
  beforeAll(async () => {
    backend = await tempBackend(kind);
  });
  beforeEach(async () => {
    await backend.reset();
    await migrate(backend.conn);
  });
  afterAll(async () => {
    await backend.destroy();
  });

  it('agree: the migrations create exactly what schema.prisma declares', async () => {
    expect(await checkSchemaDrift(backend.conn)).toEqual([]);
  });

  it('detects a field added to schema.prisma without a migration', async () => {
    const altered = schema.replace(
      '  evidence   String?\n',
      '  evidence   String?\n  rttMs      Float?   @map("rtt_ms")\n',
    );
    expect(altered).not.toBe(schema);
    expect(await checkSchemaDrift(backend.conn, altered)).toEqual([
      'column observations.rtt_ms: in schema.prisma, missing in the database',
    ]);
  });

  it('detects a unique declared in schema.prisma but missing in the database', async () => {
    await backend.conn.exec('DROP INDEX "findings_run_id_key_key"');
    expect(await checkSchemaDrift(backend.conn)).toEqual([
      'unique on findings: findings_run_id_key_key(run_id,key): in schema.prisma, missing in the database',
    ]);
  });

  it('detects a unique removed from schema.prisma but still in the database', async () => {
    const altered = schema.replace('  @@unique([runId, key])\n', '');
    expect(altered).not.toBe(schema);
    expect(await checkSchemaDrift(backend.conn, altered)).toEqual([
      'unique on findings: findings_run_id_key_key(run_id,key): in the database, not in schema.prisma',
    ]);
  });

  it('detects changed types, nullability, enum values and foreign key actions', async () => {
    await backend.conn.exec(`
      ALTER TABLE "runs" ALTER COLUMN "error" SET NOT NULL;
      ALTER TABLE "findings" ALTER COLUMN "port" TYPE BIGINT;
      ALTER TYPE "severity" ADD VALUE 'unknown';
      ALTER TABLE "hosts" DROP CONSTRAINT "hosts_inventory_id_fkey";
      ALTER TABLE "hosts" ADD CONSTRAINT "hosts_inventory_id_fkey" FOREIGN KEY ("inventory_id") REFERENCES "inventories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;`);
    const diffs = await checkSchemaDrift(backend.conn);
    expect(diffs).toEqual(
      expect.arrayContaining([
        'column runs.error: nullable in schema.prisma, NOT NULL in the database',
        'column findings.port: type integer in schema.prisma, bigint in the database',
        'enum severity: (critical, high, medium, low, info) in schema.prisma, (critical, high, medium, low, info, unknown) in the database',
      ]),
    );
    expect(diffs.some((d) => d.includes('hosts_inventory_id_fkey') && d.includes('on delete restrict'))).toBe(
      true,
    );
  });
});
