import { type DynamicModule, Global, Module } from '@nestjs/common';

import { APP_CONFIG } from './app-config.js';
import type { AppConfig } from './env.schema.js';

/** The configuration is loaded once by main.ts (or a test) and shared by every module. */
@Global()
@Module({})
export class ConfigModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
