import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { migrationChecksum } from './checksum.js';

export interface MigrationFile {
  /** The folder name, `<timestamp>_<name>`, as recorded in `_prisma_migrations.migration_name`. */
  name: string;
  script: string;
  checksum: string;
}

/** The migration folders in the order Prisma applies them: by folder name (timestamps sort). */
export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    let script: string;
    try {
      script = await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8');
    } catch {
      throw new Error(`migration folder ${name} has no migration.sql (in ${migrationsDir})`);
    }
    files.push({ name, script, checksum: migrationChecksum(script) });
  }
  return files;
}
