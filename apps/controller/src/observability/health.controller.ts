import { Controller, Get, HttpStatus, Logger, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { withTimeout } from '@fleetqry/contracts';
import { pingDatabase } from '@fleetqry/store';
import type { Response } from 'express';

import { Endpoint } from '../api/common/endpoint.decorator.js';
import { Public } from '../auth/public.decorator.js';
import { RedisService } from '../redis/redis.service.js';
import { StoreService } from '../store/store.service.js';

const CHECK_TIMEOUT_MS = 1000;

/** Up or down within the deadline; the failure's text (driver messages, hosts, ports) is only logged. */
async function check(name: string, fn: () => Promise<unknown>, logger: Logger): Promise<'up' | 'down'> {
  try {
    await withTimeout(fn(), CHECK_TIMEOUT_MS);
    return 'up';
  } catch (e) {
    logger.warn(`${name} is down: ${e instanceof Error ? e.message : String(e)}`);
    return 'down';
  }
}

/**
 * Liveness and readiness, apart: `/health/live` answers while the process serves HTTP (a database blip must
 * not get every pod restarted); `/health/ready` (and `/health`, its older name) is 200 when Postgres and Redis
 * both answer within a second, else 503 saying which is down, and nothing more.
 */
const LIVE_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
};
const UP_DOWN = { type: 'string', enum: ['up', 'down'] };
const READY_SCHEMA = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    checks: { type: 'object', properties: { postgres: UP_DOWN, redis: UP_DOWN } },
  },
};

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  private readonly logger = new Logger('health');

  constructor(
    private readonly stores: StoreService,
    private readonly redis: RedisService,
  ) {}

  @Get('live')
  @Endpoint('Liveness: the process serves HTTP', { public: true })
  @ApiResponse({ status: 200, description: 'alive', schema: LIVE_SCHEMA })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get(['ready', ''])
  @Endpoint('Readiness: Postgres and Redis answer', { public: true, errors: [503] })
  @ApiResponse({ status: 200, description: 'ready', schema: READY_SCHEMA })
  async ready(@Res() res: Response): Promise<void> {
    const [postgres, redis] = await Promise.all([
      check('postgres', () => pingDatabase(this.stores.prisma), this.logger),
      check('redis', () => this.redis.ping(CHECK_TIMEOUT_MS), this.logger),
    ]);
    const ok = postgres === 'up' && redis === 'up';
    res
      .status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .json({ status: ok ? 'ok' : 'unavailable', checks: { postgres, redis } });
  }
}
