import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EnvConfigError, withTimeout } from '@fleetqry/contracts';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

import { WORKER_CONFIG, type WorkerConfig } from '../config/worker-config.js';
import { LOGGER } from './logger.js';
import { WorkerMetrics } from './worker-metrics.js';

const PING_TIMEOUT_MS = 1_000;

/**
 * The worker's only HTTP surface: GET /health/live (the process), GET /health/ready (and /health, its older
 * name: Redis ping, 503 when it fails) and GET /metrics (Prometheus). Nothing else answers; no job can be
 * submitted here.
 */
@Injectable()
export class HealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private redis?: Redis;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(WorkerMetrics) private readonly metrics: WorkerMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Fail fast for the probe: no offline queue, one retry, so /health answers within the timeout.
    this.redis = new Redis({
      ...this.config.redis,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    this.redis.on('error', () => {});
    this.server = createServer((req, res) => {
      void this.handle(req.method ?? 'GET', req.url ?? '/').then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      });
    });
    const port = await this.listen(this.server);
    this.logger.info({ port, host: this.config.host }, `health and metrics listening on port ${port}`);
  }

  /**
   * The first free port of FLEETQRY_WORKER_PORT's range (several workers on one host each take the next
   * one). A range with no free port, or an address that cannot be bound, is a configuration error naming
   * the variable, not a stack trace.
   */
  private async listen(server: Server): Promise<number> {
    const { from, to } = this.config.port;
    for (let port = from; port <= to; port++) {
      const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        const onError = (e: NodeJS.ErrnoException) => resolve(e);
        server.once('error', onError);
        server.listen(port, this.config.host, () => {
          server.off('error', onError);
          resolve(undefined);
        });
      });
      if (!error) return (server.address() as AddressInfo).port;
      if (error.code === 'EADDRINUSE') continue;
      throw new EnvConfigError(
        `FLEETQRY_WORKER_HOST/FLEETQRY_WORKER_PORT: cannot listen on ${this.config.host}:${port} (${error.code ?? error.message})`,
      );
    }
    const range = from === to ? `port ${from} is` : `every port of ${from}-${to} is`;
    throw new EnvConfigError(
      `FLEETQRY_WORKER_PORT: ${range} in use on ${this.config.host} (another worker?); give a range such as 9464-9563, or 0 for any free port`,
    );
  }

  private async handle(method: string, url: string): Promise<{ status: number; type: string; body: string }> {
    const path = url.split('?')[0];
    if (method !== 'GET') return { status: 405, type: 'text/plain', body: 'method not allowed\n' };
    if (path === '/metrics')
      return {
        status: 200,
        type: this.metrics.registry.contentType,
        body: await this.metrics.registry.metrics(),
      };
    if (path === '/health/live')
      return { status: 200, type: 'application/json', body: JSON.stringify({ status: 'ok' }) };
    if (path === '/health' || path === '/health/ready') {
      const redis = await this.pingRedis();
      return {
        status: redis ? 200 : 503,
        type: 'application/json',
        body: JSON.stringify({ status: redis ? 'ok' : 'unavailable', redis: redis ? 'up' : 'down' }),
      };
    }
    return { status: 404, type: 'text/plain', body: 'not found\n' };
  }

  /**
   * Ready when Redis answers a ping. A request while the connection is still being made (just after
   * start, or after Redis restarted) waits for it within the timeout, instead of failing at once: the
   * worker must not say "ready" in its log and "unavailable" here.
   */
  private async pingRedis(): Promise<boolean> {
    const redis = this.redis!;
    try {
      if (redis.status !== 'ready')
        await once(redis, 'ready', { signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
      return (await withTimeout(redis.ping(), PING_TIMEOUT_MS)) === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.redis?.disconnect();
  }
}
