import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import { EnvConfigError, startupFailureLine } from '@fleetqry/contracts';
import { tcpEngineStatus } from '@fleetqry/probe';

import { loadWorkerConfig } from './config/worker-config.js';
import { createLogger, PinoNestLogger } from './observability/logger.js';
import { WorkerModule } from './worker.module.js';

/**
 * `npm run start:worker`: a Nest application context (no API server), configured from the environment.
 * Exit 78 (EX_CONFIG) on bad configuration, with the variable named; SIGTERM/SIGINT close it gracefully.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger(config.logLevel, 'fleetqry-worker');
  // abortOnError: false makes Nest throw start-up errors to us (one line below) instead of exiting itself.
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, logger), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  // Which TCP engine this worker scans with; a fallback from the SYN engine says why (missing addon, no NET_RAW).
  const tcp = await tcpEngineStatus();
  if (tcp.engine === 'syn') logger.info({ tcpEngine: 'syn' }, 'TCP engine: native SYN scan (raw socket)');
  else
    logger[tcp.fallback ? 'warn' : 'info'](
      { tcpEngine: 'connect', batched: tcp.batched, reason: tcp.reason },
      `TCP engine: connect() scans (${tcp.batched ? 'native batches' : 'one socket at a time'}); ${tcp.reason}`,
    );
  logger.info({ pid: process.pid }, 'worker ready');
}

// Every start-up failure ends with one line (exit 78 for configuration, naming the variable), no stack trace.
main().catch((error: unknown) => {
  process.stderr.write(`${startupFailureLine('fleetqry worker', error)}\n`);
  process.exit(error instanceof EnvConfigError ? 78 : 70);
});
