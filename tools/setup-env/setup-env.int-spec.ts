/**
 * `npm run setup:env` end to end: the real CLI writes a .env and secrets/ into a temporary directory, the
 * controller's and the workers' own config validators accept the environment and the secret files
 * docker-compose resolves from them (through <NAME>_FILE), and `docker-compose config` accepts both the
 * generated files and `.env.example` copied as is. Under FLEETQRY_REQUIRE_DAEMONS=1 (CI) or
 * FLEETQRY_REQUIRE_DEPLOY_TOOLS=1 a missing docker-compose fails these tests instead of skipping them.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse as parseYaml } from 'yaml';

import { loadConfig } from '../../apps/controller/src/config/env.schema.js';
import { loadWorkerConfig } from '../../apps/worker/src/config/worker-config.js';
import { checkComposeConfig } from '../deploy/compose-checks.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const composeFile = join(root, 'docker-compose.yml');
const ENV_SECRETS = [
  'FLEETQRY_ADMIN_TOKEN',
  'FLEETQRY_CREDENTIAL_KEY',
  'FLEETQRY_WORKER_TOKEN',
  'FLEETQRY_JOB_KEY',
];

const haveCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const required =
  process.env['FLEETQRY_REQUIRE_DAEMONS'] === '1' || process.env['FLEETQRY_REQUIRE_DEPLOY_TOOLS'] === '1';
const composeTest = haveCompose || required ? test : test.skip;

function setupEnv(dir: string, ...args: string[]) {
  return spawnSync('npx', ['tsx', join(root, 'tools/setup-env/cli.ts'), '--dir', dir, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}
/** `docker-compose config` as a user runs it in DIR: DIR/.env, DIR/secrets/. */
function composeConfig(dir: string) {
  const r = spawnSync('docker-compose', ['-f', composeFile, '--project-directory', dir, 'config'], {
    encoding: 'utf8',
  });
  if (r.error) throw new Error(`docker-compose did not run: ${r.error.message}`);
  return r;
}
function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
}
const secretFile = (dir: string, name: string) => readFileSync(join(dir, 'secrets', name), 'utf8');
type Obj = Record<string, Record<string, unknown>>;

describe('npm run setup:env', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleetqry-setup-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes .env and secrets/ with the same fresh secrets (none printed) and never overwrites without --force', () => {
    const first = setupEnv(dir);
    expect(first.status).toBe(0);
    const text = readFileSync(join(dir, '.env'), 'utf8');
    const env = parseEnvFile(text);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o700);
    const printed = first.stdout + first.stderr;
    for (const k of ENV_SECRETS) {
      expect(env[k]?.length ?? 0).toBeGreaterThanOrEqual(32);
      expect(printed).not.toContain(env[k]);
    }
    expect(env['FLEETQRY_ADMIN_TOKEN']).toMatch(/^fq_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(env['FLEETQRY_CREDENTIAL_KEY']!, 'base64')).toHaveLength(32);
    // The compose secrets: the same values, the URLs pointing at the compose services.
    const pg = secretFile(dir, 'postgres_password').trim();
    const redis = secretFile(dir, 'redis_password').trim();
    expect(pg.length).toBeGreaterThanOrEqual(32);
    expect(redis.length).toBeGreaterThanOrEqual(32);
    expect(pg).not.toBe(redis);
    expect(secretFile(dir, 'database_url')).toBe(`postgresql://fleetqry:${pg}@postgres:5432/fleetqry\n`);
    expect(secretFile(dir, 'redis_url')).toBe(`redis://:${redis}@redis:6379\n`);
    expect(secretFile(dir, 'admin_token')).toBe(`${env['FLEETQRY_ADMIN_TOKEN']}\n`);
    expect(secretFile(dir, 'job_key')).toBe(`${env['FLEETQRY_JOB_KEY']}\n`);
    expect(secretFile(dir, 'job_key_previous')).toBe('');
    expect(secretFile(dir, 'smtp_url')).toBe('');
    for (const f of ['postgres_password', 'database_url', 'admin_token'])
      expect(statSync(join(dir, 'secrets', f)).mode & 0o777).toBe(0o644);
    expect(printed).not.toContain(pg);
    expect(env['DATABASE_URL']).toBe(`postgres://fleetqry:${pg}@127.0.0.1:5432/fleetqry`);
    // The settings and their documentation come from .env.example unchanged.
    expect(text).toContain('# Bootstrap admin API token');
    expect(env['FLEETQRY_SCOPE_ALLOW']).toBe('127.0.0.0/8,::1/128');

    const again = setupEnv(dir);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/\.env exists; not overwritten \(pass --force/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(text);
    rmSync(join(dir, '.env'));
    const secretsLeft = setupEnv(dir);
    expect(secretsLeft.status).toBe(1);
    expect(secretsLeft.stderr).toMatch(/secrets exists; not overwritten/);
    expect(secretFile(dir, 'postgres_password').trim()).toBe(pg);

    expect(setupEnv(dir, '--force').status).toBe(0);
    const fresh = parseEnvFile(readFileSync(join(dir, '.env'), 'utf8'));
    for (const k of ENV_SECRETS) expect(fresh[k]).not.toBe(env[k]);
    expect(secretFile(dir, 'postgres_password').trim()).not.toBe(pg);
  });

  composeTest(
    `docker-compose config accepts the generated files; the apps' validators accept the secrets compose mounts${haveCompose ? '' : ' (docker-compose not installed)'}`,
    () => {
      expect(setupEnv(dir).status).toBe(0);
      const r = composeConfig(dir);
      expect(r.stderr).not.toMatch(/ERROR/);
      expect(r.status).toBe(0);
      const cfg = parseYaml(r.stdout) as Record<string, unknown>;
      expect(checkComposeConfig(cfg)).toEqual([]);
      const services = cfg['services'] as Obj;
      const secrets = cfg['secrets'] as Record<string, { file: string }>;
      // A service's environment as its process sees it: each /run/secrets/<name> is the file compose mounts.
      const envOf = (s: string): NodeJS.ProcessEnv => {
        const env = { ...(services[s]!['environment'] as Record<string, string>) };
        for (const [k, v] of Object.entries(env)) {
          const name = /^\/run\/secrets\/(\w+)$/.exec(v)?.[1];
          if (!name) continue;
          expect(services[s]!['secrets']).toContainEqual({ source: name });
          expect(secrets[name]!.file).toBe(join(dir, 'secrets', name));
          env[k] = secrets[name]!.file;
        }
        return env;
      };
      const controller = loadConfig(envOf('controller'));
      expect(controller.adminToken).toBe(
        parseEnvFile(readFileSync(join(dir, '.env'), 'utf8'))['FLEETQRY_ADMIN_TOKEN'],
      );
      expect(controller.databaseUrl).toBe(secretFile(dir, 'database_url').trim());
      expect(controller.jobKeys.previous).toBeUndefined();
      const worker = loadWorkerConfig(envOf('worker'));
      expect(worker.controllerUrl).toBe('http://controller:3000');
      expect(worker.redis).toMatchObject({
        host: 'redis',
        port: 6379,
        password: secretFile(dir, 'redis_password').trim(),
      });
      expect(worker.jobKeys.current).toBe(controller.jobKeys.current);
    },
  );

  composeTest(
    '`cp .env.example .env && docker-compose config` works; a missing FLEETQRY_SCOPE_ALLOW is refused',
    () => {
      const envFile = join(dir, '.env');
      copyFileSync(join(root, '.env.example'), envFile);
      const r = composeConfig(dir);
      expect(r.stderr).not.toMatch(/ERROR/);
      expect(r.status).toBe(0);

      const lines = readFileSync(envFile, 'utf8').split('\n');
      writeFileSync(envFile, lines.filter((l) => !l.startsWith('FLEETQRY_SCOPE_ALLOW=')).join('\n'));
      const missing = composeConfig(dir);
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain('FLEETQRY_SCOPE_ALLOW');
    },
  );
});
