import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * createLogger writes synchronously to fd 1, so its lines are read from a child process's stdout: the
 * censoring of secret-bearing fields and the level, as a deployed worker logs them.
 */
const LOGGER_MODULE = join(dirname(fileURLToPath(import.meta.url)), 'logger.ts');

function logLines(level: string, body: string): Record<string, unknown>[] {
  const code = `import { createLogger, PinoNestLogger } from ${JSON.stringify(LOGGER_MODULE)};
const logger = createLogger(${JSON.stringify(level)}, 'fleetqry-worker');
const nest = new PinoNestLogger(logger);
${body}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createLogger', () => {
  it('censors secret-bearing fields one and two levels deep, and keeps the rest', () => {
    const [line] = logLines(
      'info',
      `logger.info({ token: 't', workerToken: 'w', runId: 'r1',
        job: { secret: 's', communities: ['c'], protocolOptions: { x: 1 }, chunk: 3, headers: { authorization: 'a' } },
        run: { plan: { communities: ['deep'] } }, creds: { password: 'p' } }, 'chunk done');`,
    );
    expect(line).toMatchObject({
      msg: 'chunk done',
      name: 'fleetqry-worker',
      token: '[redacted]',
      workerToken: '[redacted]',
      runId: 'r1',
      job: {
        secret: '[redacted]',
        communities: '[redacted]',
        protocolOptions: '[redacted]',
        chunk: 3,
        headers: { authorization: '[redacted]' },
      },
      run: { plan: { communities: '[redacted]' } },
      creds: { password: '[redacted]' },
    });
    expect(JSON.stringify(line)).not.toMatch(/"(t|w|s|c|deep|a|p)"/);
  });

  it('writes nothing below its level; Nest messages keep their context and level', () => {
    const lines = logLines(
      'info',
      `logger.debug('hidden'); nest.log('bootstrapped', 'NestFactory'); nest.warn('careful'); nest.verbose('chatty');
      nest.error('boom', 'trace here', 'Injector');`,
    );
    expect(lines.map((l) => [l['level'], l['msg'], l['context']])).toEqual([
      [30, 'bootstrapped', 'NestFactory'],
      [40, 'careful', undefined],
      [50, 'boom', 'Injector'],
    ]);
    expect(lines[2]!['trace']).toBe('trace here');
  });
});
