import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds the repo's `prisma/migrations`: an explicit dir, else FLEETQRY_MIGRATIONS_DIR, else the nearest
 * ancestor of this module holding `prisma/migrations/migration_lock.toml`. Walking up works the same from
 * `src/migrator` (tsx, jest) and from `dist/migrator` (built), and in an image that copies `prisma/`.
 */
export function findMigrationsDir(explicit?: string): string {
  const given = explicit ?? process.env['FLEETQRY_MIGRATIONS_DIR'];
  if (given) {
    const dir = resolve(given);
    if (!existsSync(dir)) throw new Error(`migrations directory not found: ${dir}`);
    return dir;
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(join(candidate, 'migration_lock.toml'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        'prisma/migrations not found above libs/store; set FLEETQRY_MIGRATIONS_DIR to the migrations directory',
      );
    }
    dir = parent;
  }
}
