import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EnvConfigError } from '@fleetqry/contracts';

import { loadWorkerConfig } from './worker-config.js';

const valid = {
  FLEETQRY_CONTROLLER_URL: 'http://127.0.0.1:3000/',
  FLEETQRY_WORKER_TOKEN: 'w'.repeat(32),
  FLEETQRY_JOB_KEY: 'k'.repeat(32),
  FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8, ::1/128',
};

const failure = (env: NodeJS.ProcessEnv): string => {
  try {
    loadWorkerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('worker configuration', () => {
  it('reads its own scope (controller syntax) and the job keys', () => {
    const c = loadWorkerConfig({
      ...valid,
      FLEETQRY_SCOPE_DENY: '127.0.0.9',
      FLEETQRY_JOB_KEY_PREVIOUS: 'p'.repeat(32),
    });
    expect(c.scope).toEqual({ allow: ['127.0.0.0/8', '::1/128'], deny: ['127.0.0.9'] });
    expect(c.jobKeys).toEqual({ current: 'k'.repeat(32), previous: 'p'.repeat(32) });
    expect(c.controllerUrl).toBe('http://127.0.0.1:3000');
    expect(c.workerId).toMatch(/^[A-Za-z0-9._:/@-]+\/\d+$/);
  });

  it('reads its secrets from <NAME>_FILE files (compose secrets) as from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetqry-worker-secrets-'));
    try {
      const file = (name: string, value: string) => {
        writeFileSync(join(dir, name), `${value}\n`);
        return join(dir, name);
      };
      const { FLEETQRY_WORKER_TOKEN: _t, FLEETQRY_JOB_KEY: _k, ...rest } = valid;
      const c = loadWorkerConfig({
        ...rest,
        REDIS_URL_FILE: file('redis_url', 'redis://:pw@redis:6379/3'),
        FLEETQRY_WORKER_TOKEN_FILE: file('worker_token', 'w'.repeat(32)),
        FLEETQRY_JOB_KEY_FILE: file('job_key', 'k'.repeat(32)),
        FLEETQRY_JOB_KEY_PREVIOUS_FILE: file('job_key_previous', ''),
      });
      expect(c.workerToken).toBe('w'.repeat(32));
      expect(c.jobKeys).toEqual({ current: 'k'.repeat(32) });
      expect(c.redis).toMatchObject({ host: 'redis', port: 6379, password: 'pw', db: 3 });
      expect(failure({ ...valid, FLEETQRY_WORKER_TOKEN_FILE: join(dir, 'absent') })).toBe(
        'FLEETQRY_WORKER_TOKEN and FLEETQRY_WORKER_TOKEN_FILE are both set: set one of them',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without its own scope or the job key, in one line naming the variable', () => {
    const { FLEETQRY_SCOPE_ALLOW: _s, ...noScope } = valid;
    expect(failure(noScope)).toBe('invalid worker configuration: FLEETQRY_SCOPE_ALLOW is not set');
    expect(failure({ ...valid, FLEETQRY_SCOPE_ALLOW: ' , ' })).toMatch(
      /^FLEETQRY_SCOPE_ALLOW lists no address/,
    );
    expect(failure({ ...valid, FLEETQRY_SCOPE_ALLOW: '10.0.0.0/33' })).toMatch(/^FLEETQRY_SCOPE_ALLOW: /);
    expect(failure({ ...valid, FLEETQRY_SCOPE_DENY: '012.0.0.1' })).toMatch(/^FLEETQRY_SCOPE_DENY: /);
    const { FLEETQRY_JOB_KEY: _k, ...noKey } = valid;
    const message = failure(noKey);
    expect(message).toMatch(/^FLEETQRY_JOB_KEY is not set/);
    expect(message).not.toContain('\n');
    expect(failure({ ...valid, FLEETQRY_JOB_KEY: 'short-job-key' })).not.toContain('short-job-key');
  });
});
