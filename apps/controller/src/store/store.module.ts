import { Global, Module } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { StoreService } from './store.service.js';

/** Global: every API module and the dispatch/runs modules inject StoreService. */
@Global()
@Module({
  providers: [
    { provide: StoreService, inject: [APP_CONFIG], useFactory: (c: AppConfig) => StoreService.open(c) },
  ],
  exports: [StoreService],
})
export class StoreModule {}
