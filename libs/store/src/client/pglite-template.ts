import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PGlite } from '@electric-sql/pglite';

import { migrate } from '../migrator/migrate.js';
import { pgliteConnection } from './sql-connection.js';

/**
 * A freshly initialised and migrated embedded database, made once at build time (`npm run build`) and copied
 * into a new data directory on first use. Creating a PGlite cluster runs initdb inside the process: about
 * 0.7 GB of memory and seconds of CPU that a user's first sweep would otherwise pay; copying 40 MB costs
 * neither. The migrator still runs after the copy, so a template older than the migrations is brought up to
 * date, and one made by another PGlite version is not used at all.
 * @public read by build-template.mjs from the built module
 */
export const PGLITE_TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../pglite-template');
const MARKER = 'fleetqry-template.json';

/** The installed PGlite's version (its package.json is not exported: found beside its entry point). */
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (pkg.name === '@electric-sql/pglite') return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error('cannot find the installed @electric-sql/pglite version');
    dir = dirname(dir);
  }
}

/**
 * Fills `pgdata` (missing or empty) from the template; false when there is no usable template. The copy is
 * asynchronous (libuv's threads): a first sweep starts probing while its store is seeded.
 */
export async function seedFromTemplate(pgdata: string, template = PGLITE_TEMPLATE_DIR): Promise<boolean> {
  if (existsSync(join(pgdata, 'PG_VERSION'))) return false;
  const marker = join(template, MARKER);
  if (!existsSync(marker)) return false;
  const { pglite } = JSON.parse(readFileSync(marker, 'utf8')) as { pglite: string };
  if (pglite !== pgliteVersion()) return false;
  // Copied beside the target and renamed, so an interrupted copy never looks like a data directory.
  const partial = `${pgdata}.partial`;
  await rm(partial, { recursive: true, force: true });
  await cp(join(template, 'pgdata'), partial, { recursive: true });
  await rm(pgdata, { recursive: true, force: true });
  await mkdir(dirname(pgdata), { recursive: true });
  await rename(partial, pgdata);
  return true;
}

/**
 * Builds the template (the build's last step); replaces an older one.
 * @public run by build-template.mjs from the built module
 */
export async function buildPgliteTemplate(template = PGLITE_TEMPLATE_DIR): Promise<void> {
  const building = `${template}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const db = await PGlite.create(join(building, 'pgdata'));
  try {
    await migrate(pgliteConnection(db));
  } finally {
    await db.close();
  }
  writeFileSync(join(building, MARKER), JSON.stringify({ pglite: pgliteVersion() }) + '\n');
  rmSync(template, { recursive: true, force: true });
  renameSync(building, template);
}
