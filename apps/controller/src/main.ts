import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import { EnvConfigError, startupFailureLine } from '@fleetqry/contracts';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createStore, DatabaseNotMigratedError } from '@fleetqry/store';

import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { loadConfig } from './config/env.schema.js';
import { createTokenCommand } from './auth/create-token.command.js';

/**
 * `node apps/controller/dist/main.js` starts the controller; `… create-token --name N [--role admin]` creates
 * an API token in the database and prints it once (a bootstrap admin without FLEETQRY_ADMIN_TOKEN).
 * Exit codes: 78 bad configuration, 75 the database is not migrated (run `npm run db:migrate`), 70 anything
 * else.
 */
const EXIT_CONFIG = 78;
const EXIT_NOT_MIGRATED = 75;
const EXIT_SOFTWARE = 70;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'create-token') return createTokenCommand(argv.slice(1));
  const config = loadConfig();
  // The controller never migrates: a database this release's migrations have not reached stops it here,
  // before anything is served or any queue touched.
  const check = await createStore({
    databaseUrl: config.databaseUrl,
    connectTimeoutMs: 5000,
    poolSize: 1,
    requireMigrated: true,
  });
  await check.close();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
    // A failed start reaches the handler below instead of aborting the process.
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
    process.exitCode =
      error instanceof EnvConfigError
        ? EXIT_CONFIG
        : error instanceof DatabaseNotMigratedError
          ? EXIT_NOT_MIGRATED
          : EXIT_SOFTWARE;
    // Whatever the failed start left open (pools, Redis clients) must not keep the process alive.
    setTimeout(() => process.exit(), 1000).unref();
  },
);
