import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { SqlConnection } from '../client/sql-connection.js';
import { findMigrationsDir } from '../migrator/migrations-dir.js';
import { compareShapes } from './compare-shapes.js';
import { introspectDatabase } from './introspect.js';
import { readPrismaSchema } from './schema-reader.js';

/** Differences between prisma/schema.prisma (or the given text) and a migrated database; empty = in sync. */
export async function checkSchemaDrift(conn: SqlConnection, schemaSource?: string): Promise<string[]> {
  const source =
    schemaSource ?? (await readFile(join(dirname(findMigrationsDir()), 'schema.prisma'), 'utf8'));
  return compareShapes(readPrismaSchema(source), await introspectDatabase(conn));
}
