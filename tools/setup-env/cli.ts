/**
 * `npm run setup:env [-- --force] [--dir DIR]`: writes DIR/.env (default: the repository root) from
 * .env.example with freshly generated secrets. Never overwrites an existing .env without --force; prints no
 * secret.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fillEnvTemplate, generateSecrets } from './generate-env.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: { force: { type: 'boolean', default: false }, dir: { type: 'string', default: root } },
});
const target = join(resolve(values.dir), '.env');
if (existsSync(target) && !values.force) {
  console.error(`setup:env: ${target} exists; not overwritten (pass --force to replace it and its secrets)`);
  process.exit(1);
}
const text = fillEnvTemplate(readFileSync(join(root, '.env.example'), 'utf8'), generateSecrets());
// Written whole under a temporary name, then renamed: never a half-written .env; owner-only permissions.
writeFileSync(`${target}.tmp`, text, { mode: 0o600 });
renameSync(`${target}.tmp`, target);
console.error(`setup:env: wrote ${target} with fresh secrets (mode 600; keep it out of version control)`);
