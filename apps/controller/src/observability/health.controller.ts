import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { Public } from '../auth/public.decorator.js';
import { RedisService } from '../redis/redis.service.js';
import { StoreService } from '../store/store.service.js';

type Check = { status: 'up' } | { status: 'down'; error: string };

async function check(fn: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up' };
  } catch (e) {
    return { status: 'down', error: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness: 200 when Postgres and Redis both answer within a second, 503 (with which one) otherwise. */
@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly stores: StoreService,
    private readonly redis: RedisService,
  ) {}

  @Get()
  async health(@Res() res: Response): Promise<void> {
    const [postgres, redis] = await Promise.all([
      check(() => this.stores.prisma.$queryRawUnsafe('SELECT 1'), 1000),
      check(() => this.redis.ping(1000), 1000),
    ]);
    const ok = postgres.status === 'up' && redis.status === 'up';
    res
      .status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .json({ status: ok ? 'ok' : 'unavailable', checks: { postgres, redis } });
  }
}
