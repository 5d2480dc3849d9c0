import { randomBytes } from 'node:crypto';

import { pino, type Logger } from 'pino';

import { loadWorkerConfig, type WorkerConfig } from '../config/worker-config.js';

/**
 * A worker configuration on the machine's Redis under a queue prefix of its own (nothing else sees its
 * queues); the controller is never contacted. `env` overrides variables.
 */
export function testWorkerConfig(env: Record<string, string> = {}): WorkerConfig {
  return loadWorkerConfig({
    REDIS_URL: 'redis://127.0.0.1:6379',
    FLEETQRY_QUEUE_PREFIX: `worker-spec-${randomBytes(4).toString('hex')}`,
    FLEETQRY_CONTROLLER_URL: 'http://127.0.0.1:9',
    FLEETQRY_WORKER_TOKEN: randomBytes(32).toString('hex'),
    FLEETQRY_JOB_KEY: randomBytes(32).toString('base64'),
    FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
    FLEETQRY_WORKER_HOST: '127.0.0.1',
    FLEETQRY_WORKER_PORT: '0',
    ...env,
  });
}

/** A logger whose messages the test reads back, in order. */
export function recordingLogger(): { logger: Logger; messages: string[] } {
  const messages: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => messages.push(JSON.parse(line).msg) });
  return { logger, messages };
}

/** Polls until `check` holds; fails naming `what` after `ms`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
