/**
 * `npm run setup:env` end to end: the real CLI writes a .env into a temporary directory, the controller's and
 * the workers' own config validators accept what docker-compose resolves from it, and `docker-compose config`
 * accepts both the generated .env and `.env.example` copied as is. Under FLEETQRY_REQUIRE_DAEMONS=1 (CI) or
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
const SECRETS = [
  'FLEETQRY_ADMIN_TOKEN',
  'FLEETQRY_CREDENTIAL_KEY',
  'FLEETQRY_WORKER_TOKEN',
  'FLEETQRY_JOB_KEY',
  'POSTGRES_PASSWORD',
  'REDIS_PASSWORD',
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
function composeConfig(envFile: string) {
  const r = spawnSync('docker-compose', ['-f', composeFile, '--env-file', envFile, 'config'], {
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
type Obj = Record<string, Record<string, unknown>>;

describe('npm run setup:env', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleetqry-setup-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes a .env with fresh secrets (mode 600, none printed) and never overwrites one without --force', () => {
    const first = setupEnv(dir);
    expect(first.status).toBe(0);
    const text = readFileSync(join(dir, '.env'), 'utf8');
    const env = parseEnvFile(text);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    for (const k of SECRETS) {
      expect(env[k]?.length ?? 0).toBeGreaterThanOrEqual(32);
      expect(first.stdout + first.stderr).not.toContain(env[k]);
    }
    expect(env['FLEETQRY_ADMIN_TOKEN']).toMatch(/^fq_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(env['FLEETQRY_CREDENTIAL_KEY']!, 'base64')).toHaveLength(32);
    expect(env['DATABASE_URL']).toBe(
      `postgres://fleetqry:${env['POSTGRES_PASSWORD']}@127.0.0.1:5432/fleetqry`,
    );
    // The settings and their documentation come from .env.example unchanged.
    expect(text).toContain('# Bootstrap admin API token');
    expect(env['FLEETQRY_SCOPE_ALLOW']).toBe('127.0.0.0/8,::1/128');

    const again = setupEnv(dir);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/exists; not overwritten \(pass --force/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(text);

    expect(setupEnv(dir, '--force').status).toBe(0);
    const fresh = parseEnvFile(readFileSync(join(dir, '.env'), 'utf8'));
    for (const k of SECRETS) expect(fresh[k]).not.toBe(env[k]);
  });

  composeTest(
    `docker-compose config accepts the generated .env; the apps' validators accept what it resolves${haveCompose ? '' : ' (docker-compose not installed)'}`,
    () => {
      expect(setupEnv(dir).status).toBe(0);
      const r = composeConfig(join(dir, '.env'));
      expect(r.stderr).not.toMatch(/ERROR/);
      expect(r.status).toBe(0);
      const cfg = parseYaml(r.stdout) as Record<string, unknown>;
      expect(checkComposeConfig(cfg)).toEqual([]);
      const services = cfg['services'] as Obj;
      const envOf = (s: string) => services[s]!['environment'] as Record<string, string>;
      const controller = loadConfig(envOf('controller'));
      expect(controller.adminToken).toMatch(/^fq_/);
      expect(controller.databaseUrl).toContain('@postgres:5432/');
      const worker = loadWorkerConfig(envOf('worker'));
      expect(worker.controllerUrl).toBe('http://controller:3000');
    },
  );

  composeTest('`cp .env.example .env && docker-compose config` works; a missing secret is refused', () => {
    const envFile = join(dir, '.env');
    copyFileSync(join(root, '.env.example'), envFile);
    const r = composeConfig(envFile);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);

    const lines = readFileSync(envFile, 'utf8').split('\n');
    writeFileSync(envFile, lines.filter((l) => !l.startsWith('REDIS_PASSWORD=')).join('\n'));
    const missing = composeConfig(envFile);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('REDIS_PASSWORD');
  });
});
