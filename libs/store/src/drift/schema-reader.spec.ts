import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { findMigrationsDir } from '../migrator/migrations-dir.js';
import { compareShapes } from './compare-shapes.js';
import { readPrismaSchema } from './schema-reader.js';

const schema = readFileSync(join(dirname(findMigrationsDir()), 'schema.prisma'), 'utf8');

describe('readPrismaSchema', () => {
  const shape = readPrismaSchema(schema);

  it('maps models, fields and native types to tables and columns as Prisma creates them', () => {
    const obs = shape.tables['observations']!;
    expect(obs.columns['observed_at']).toEqual({
      type: 'timestamp(3) with time zone',
      nullable: false,
      hasDefault: false,
    });
    expect(obs.primaryKey).toBe('observations_pkey(run_id,address,proto,port,check)');
    expect(obs.uniques).toEqual([]);
    // Unsupported("…") columns keep the database type Prisma cannot model.
    expect(shape.tables['run_coverage']!.columns['closed']).toEqual({
      type: 'int4multirange',
      nullable: false,
      hasDefault: false,
    });
    expect(shape.tables['hosts']!.columns['tags']).toEqual({
      type: 'text[]',
      nullable: true,
      hasDefault: true,
    });
    expect(shape.tables['hosts']!.indexes).toEqual(['hosts_tags_idx gin(tags)']);
  });

  it('maps enums with their @map names and values', () => {
    expect(shape.enums['credential_kind']).toEqual(['snmp-community', 'ldap-bind', 'snmp-v3-user']);
    expect(shape.enums['severity']).toEqual(['critical', 'high', 'medium', 'low', 'info']);
  });

  it('derives foreign keys with Prisma default actions', () => {
    expect(shape.tables['runs']!.foreignKeys).toEqual([
      'runs_scan_definition_id_fkey(scan_definition_id) -> scan_definitions(id) on delete set null on update cascade',
    ]);
  });

  it('refuses constructs it does not understand instead of ignoring them', () => {
    expect(() => readPrismaSchema(schema.replace('@db.Uuid', '@db.Money'))).toThrow(
      /unsupported native type/,
    );
  });

  it('compares shapes line by line', () => {
    const altered = readPrismaSchema(schema.replace('  hostname     String?', '  hostname     String'));
    expect(compareShapes(altered, shape)).toEqual([
      'column hosts.hostname: NOT NULL in schema.prisma, nullable in the database',
    ]);
  });
});

describe('generated client', () => {
  it('was generated from the current schema.prisma (else run npm run db:generate)', () => {
    const generated = readFileSync(
      join(dirname(findMigrationsDir()), '..', 'libs/store/src/generated/prisma/internal/class.ts'),
      'utf8',
    );
    const inline = /"inlineSchema": (".*?(?<!\\)"),\n/.exec(generated);
    expect(inline).not.toBeNull();
    expect(JSON.parse(inline![1]!)).toBe(schema);
  });
});
