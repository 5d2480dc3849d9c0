import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import { EnvConfigError, startupFailureLine } from '@fleetqry/contracts';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { loadConfig } from './config/env.schema.js';
import { createTokenCommand } from './auth/create-token.command.js';

/**
 * `node apps/controller/dist/main.js` starts the controller; `… create-token --name N [--role admin]` creates
 * an API token in the database and prints it once (a bootstrap admin without FLEETQRY_ADMIN_TOKEN).
 */
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'create-token') return createTokenCommand(argv.slice(1));
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  configureApp(app, config);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new EnvConfigError(
        `FLEETQRY_HOST/FLEETQRY_PORT: cannot listen on ${config.host}:${config.port} (${code})`,
      );
    throw error;
  }
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    // One line, no stack trace; configuration errors name the variables and never contain their values.
    process.stderr.write(`${startupFailureLine('fleetqry controller', error)}\n`);
    process.exitCode = error instanceof EnvConfigError ? 78 : 70;
  },
);
