import type { OnApplicationShutdown } from '@nestjs/common';
import { createStore, type Store } from '@fleetqry/store';

import type { AppConfig } from '../config/app-config.js';

/**
 * The controller's one database handle (libs/store over Postgres). Migrations are a deploy step
 * (`npm run db:migrate`, the migrate job), so opening never migrates. Built by StoreModule's factory (the
 * connection is opened, and a wrong DATABASE_URL fails, before the app listens).
 */
export class StoreService implements OnApplicationShutdown {
  private constructor(
    readonly store: Store,
    readonly config: AppConfig,
  ) {}

  static async open(config: AppConfig): Promise<StoreService> {
    const store = await createStore({ databaseUrl: config.databaseUrl, connectTimeoutMs: 5000 });
    return new StoreService(store, config);
  }

  get prisma(): Store['prisma'] {
    return this.store.prisma;
  }

  /** Last: everything that uses the database stops in its module-destroy hook before this runs. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
