import { Module, type DynamicModule } from '@nestjs/common';

import { DeliverWebhookUseCase } from './deliver-webhook.use-case.js';
import { FanOutRunUseCase } from './fan-out-run.use-case.js';
import { WebhookWorkersHost } from './webhook-workers.host.js';
import { WebhooksController } from './webhooks.controller.js';
import { WEBHOOKS_CONFIG, loadWebhooksConfig, type WebhooksConfig } from './webhooks-config.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Alerts on change: the /webhooks API, the fan-out of finished runs (published by the dispatch module on
 * the webhooks queue) and the deliveries. Needs the global StoreModule and DispatchModule (queues, Redis).
 * `register()` reads FLEETQRY_WEBHOOK_* / FLEETQRY_SMTP_* from the environment; tests pass them.
 */
@Module({})
export class WebhooksModule {
  static register(config: WebhooksConfig = loadWebhooksConfig()): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [WebhooksController],
      providers: [
        { provide: WEBHOOKS_CONFIG, useValue: config },
        WebhooksService,
        FanOutRunUseCase,
        DeliverWebhookUseCase,
        WebhookWorkersHost,
      ],
    };
  }
}
