/**
 * `npm run setup:env [-- --force] [--dir DIR]`: writes DIR/.env (default: the repository root) from
 * .env.example with freshly generated secrets, and DIR/secrets/ with the same secrets as docker-compose's
 * secret files. Never overwrites an existing .env or secrets/ without --force; prints no secret.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { composeSecretFiles, fillEnvTemplate, generateSecrets } from './generate-env.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: { force: { type: 'boolean', default: false }, dir: { type: 'string', default: root } },
});
const dir = resolve(values.dir);
const envFile = join(dir, '.env');
const secretsDir = join(dir, 'secrets');
for (const target of [envFile, secretsDir]) {
  if (existsSync(target) && !values.force) {
    console.error(
      `setup:env: ${target} exists; not overwritten (pass --force to replace it and its secrets)`,
    );
    process.exit(1);
  }
}
const secrets = generateSecrets();

// Each written whole under a temporary name, then renamed: never a half-written .env or secrets/.
writeFileSync(`${envFile}.tmp`, fillEnvTemplate(readFileSync(join(root, '.env.example'), 'utf8'), secrets));
chmodSync(`${envFile}.tmp`, 0o600);
// The directory is the owner's alone (700); the files are 644 because compose bind-mounts them with their
// host permissions and the services read them as their own users (node 1000, postgres 999).
const staging = `${secretsDir}.tmp`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { mode: 0o700 });
for (const [name, content] of Object.entries(composeSecretFiles(secrets))) {
  writeFileSync(join(staging, name), content ? `${content}\n` : '');
  chmodSync(join(staging, name), 0o644); // whatever the umask
}
chmodSync(staging, 0o700);
rmSync(secretsDir, { recursive: true, force: true });
renameSync(staging, secretsDir);
renameSync(`${envFile}.tmp`, envFile);
console.error(
  `setup:env: wrote ${envFile} (mode 600) and ${secretsDir}/ (docker-compose's secrets) with fresh secrets; keep both out of version control`,
);
