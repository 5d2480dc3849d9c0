import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';

import { AuditService } from '../../auth/audit.service.js';
import { Public } from '../../auth/public.decorator.js';
import { WorkerTokenGuard } from '../../auth/worker-token.guard.js';
import { UuidParam } from '../common/zod-decorators.js';
import { CredentialsService } from '../credentials/credentials.service.js';

/**
 * Workers fetch a secret by id right before the probe that needs it (jobs carry ids only). Public to the API
 * token guard, guarded by the worker token instead; every read is audited; the response is never logged
 * (pino logs requests, not bodies) and is not in the public OpenAPI document.
 */
@ApiExcludeController()
@Controller('internal/credentials')
@Public()
@UseGuards(WorkerTokenGuard)
export class InternalCredentialsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly audit: AuditService,
  ) {}

  @Get(':id')
  async secret(@UuidParam() id: string, @Req() req: Request): Promise<{ secret: string }> {
    const secret = await this.credentials.secret(id);
    await this.audit.record(req, {
      actor: 'worker',
      action: 'credential.read',
      target: id,
      outcome: 'allowed',
    });
    return { secret };
  }
}
