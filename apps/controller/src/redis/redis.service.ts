import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { withTimeout } from '@fleetqry/contracts';
import { Redis } from 'ioredis';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/**
 * A Redis connection for the controller's own needs (health, Bull Board, queue depth). It fails fast while
 * Redis is down (no offline queue, one retry per command), so /health answers 503 at once instead of hanging.
 */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly client: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.client = new Redis({
      ...config.redis,
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Keep reconnecting (capped backoff): Redis restarts are expected and the controller must recover.
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    // Without a listener ioredis prints every failed reconnect as an unhandled error event.
    this.client.on('error', () => {});
  }

  /** "PONG" within the deadline, or throws. */
  async ping(timeoutMs = 1000): Promise<void> {
    await withTimeout(this.client.ping(), timeoutMs);
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
