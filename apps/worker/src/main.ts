import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';

import { EnvConfigError } from '@fleetqry/contracts';

import { loadWorkerConfig } from './config/worker-config.js';
import { createLogger, PinoNestLogger } from './observability/logger.js';
import { WorkerModule } from './worker.module.js';

/**
 * `npm run start:worker`: a Nest application context (no API server), configured from the environment.
 * Exit 78 (EX_CONFIG) on bad configuration, with the variable named; SIGTERM/SIGINT close it gracefully.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (error instanceof EnvConfigError) {
      process.stderr.write(`fleetqry worker: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, 'fleetqry-worker');
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, logger), {
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  logger.info({ pid: process.pid }, 'worker ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`fleetqry worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
