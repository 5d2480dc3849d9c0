/**
 * What users' tools consume from the running controller passes those tools' own validators: the OpenAPI
 * document (`/docs-json`) with Redocly CLI's lint (redocly.yaml: 0 errors), and the checked-in copies — the
 * document (apps/controller/openapi.json) and the typed client openapi-typescript generates from it
 * (apps/cli/src/remote/generated/api.ts, which the CLI's API client is built on) — are what the running
 * controller serves today. On drift: FLEETQRY_UPDATE_OPENAPI=1 rewrites both (then review and commit).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startTestApp, type TestApp } from '../testing/test-app.js';
import { REPO_ROOT } from '../dispatch/testing/distributed-harness.js';

const SPEC = 'apps/controller/openapi.json';
const CLIENT_TYPES = 'apps/cli/src/remote/generated/api.ts';
const update = process.env['FLEETQRY_UPDATE_OPENAPI'] === '1';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, 120_000);

afterAll(async () => {
  await app?.close();
});

function run(bin: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(join(REPO_ROOT, 'node_modules/.bin', bin), args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('OpenAPI document of the running controller', () => {
  let live: string;

  beforeAll(async () => {
    const doc = await app.call('GET', '/docs-json', { token: null });
    expect(doc.status).toBe(200);
    live = `${JSON.stringify(JSON.parse(doc.raw), null, 2)}\n`;
    if (update) writeFileSync(join(REPO_ROOT, SPEC), live);
  });

  test(`is the checked-in ${SPEC}`, () => {
    expect(readFileSync(join(REPO_ROOT, SPEC), 'utf8')).toBe(live);
  });

  test('redocly lint: valid, no error and no warning', () => {
    const lint = run('redocly', ['lint', SPEC, '--config', 'redocly.yaml', '--format', 'stylish']);
    if (lint.code !== 0) throw new Error(lint.out);
    expect(lint.out).toMatch(/Your API description is valid/);
    expect(lint.out).not.toMatch(/^\s*\d+:\d+\s+warning/m);
  }, 180_000);

  test(`openapi-typescript regenerates the CLI's typed client (${CLIENT_TYPES}) unchanged`, () => {
    // Run outside the repository: redocly.yaml is the lint's, not the generator's.
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-openapi-'));
    const out = join(dir, 'api.ts');
    const gen = spawnSync(
      join(REPO_ROOT, 'node_modules/.bin/openapi-typescript'),
      [join(REPO_ROOT, SPEC), '--output', out],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (gen.status !== 0) throw new Error(`${gen.stdout}\n${gen.stderr}`);
    const fmt = spawnSync(join(REPO_ROOT, 'node_modules/.bin/prettier'), ['--stdin-filepath', CLIENT_TYPES], {
      cwd: REPO_ROOT,
      input: readFileSync(out, 'utf8'),
      encoding: 'utf8',
    });
    rmSync(dir, { recursive: true, force: true });
    expect(fmt.status).toBe(0);
    const generated = fmt.stdout;
    if (update) writeFileSync(join(REPO_ROOT, CLIENT_TYPES), generated);
    expect(readFileSync(join(REPO_ROOT, CLIENT_TYPES), 'utf8')).toBe(generated);
  }, 120_000);
});

describe('/metrics of the running controller', () => {
  test('promtool check metrics: no problem; build info and queue depth are there', async () => {
    const metrics = await app.call('GET', '/metrics', { token: null });
    expect(metrics.status).toBe(200);
    expect(metrics.raw).toMatch(/^fleetqry_build_info\{app="controller",version="[^"]+"\} 1$/m);
    expect(metrics.raw).toMatch(/^# TYPE fleetqry_queue_jobs gauge$/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: metrics.raw, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});
