import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';

import { AuditModule } from './api/audit/audit.module.js';
import { ApiErrorsFilter } from './api/common/api-errors.filter.js';
import { CredentialsModule } from './api/credentials/credentials.module.js';
import { FindingsModule } from './api/findings/findings.module.js';
import { InternalModule } from './api/internal/internal.module.js';
import { InventoriesModule } from './api/inventories/inventories.module.js';
import { PoliciesModule } from './api/policies/policies.module.js';
import { ScanDefinitionsModule } from './api/scan-definitions/scan-definitions.module.js';
import { ScopeRulesModule } from './api/scope-rules/scope-rules.module.js';
import { ServiceGroupsModule } from './api/service-groups/service-groups.module.js';
import { TokensModule } from './api/tokens/tokens.module.js';
import { WaiversModule } from './api/waivers/waivers.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/env.schema.js';
import { loggerParams } from './observability/logging.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { RedisModule } from './redis/redis.module.js';
import { StoreModule } from './store/store.module.js';
// The runs pipeline (dispatch/, runs/: another engineer's modules): planning, queues, ingest, /runs.
import { loadDispatchConfig, type DispatchConfig } from './dispatch/dispatch-config.js';
import { DispatchModule } from './dispatch/dispatch.module.js';
import { RunsModule } from './runs/runs.module.js';
import { QueriesModule } from './queries/queries.module.js';
import { HostViewsModule } from './api/host-views/host-views.module.js';
import type { WebhooksConfig } from './webhooks/webhooks-config.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/**
 * The controller. Infrastructure modules are global (config, store, redis, auth, observability) so feature
 * modules stay small: one resource each, controller + service.
 */
@Module({})
export class AppModule {
  /** `dispatch` and `webhooks` default to the environment (their modules read their own variables); tests pass them. */
  static register(
    config: AppConfig,
    options: { dispatch?: DispatchConfig; webhooks?: WebhooksConfig } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(config),
        LoggerModule.forRoot(loggerParams(config)),
        StoreModule,
        RedisModule,
        AuthModule,
        ObservabilityModule,
        TokensModule,
        InventoriesModule,
        ScopeRulesModule,
        CredentialsModule,
        InternalModule,
        HostViewsModule,
        PoliciesModule,
        ServiceGroupsModule,
        ScanDefinitionsModule,
        FindingsModule,
        WaiversModule,
        AuditModule,
        DispatchModule.register(options.dispatch ?? loadDispatchConfig(config)),
        RunsModule,
        WebhooksModule.register(options.webhooks),
        QueriesModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiErrorsFilter }],
    };
  }
}
