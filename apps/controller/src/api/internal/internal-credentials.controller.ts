import { Controller, ForbiddenException, Get, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  CredentialRequestQuerySchema,
  WORKER_ID_HEADER,
  WorkerIdSchema,
  type CredentialRequestQuery,
  type CredentialSecretResponse,
} from '@fleetqry/contracts';
import type { Request } from 'express';

import { AuditService } from '../../auth/audit.service.js';
import { Public } from '../../auth/public.decorator.js';
import { WorkerTokenGuard } from '../../auth/worker-token.guard.js';
import { UuidParam, ZodQuery } from '../common/zod-decorators.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { CredentialGrants } from './credential-grants.js';

/**
 * Workers fetch a secret by id right before the chunk that needs it (jobs carry ids only), naming the chunk
 * (`?run=…&chunk=…`) and themselves (X-Fleetqry-Worker). Public to the API token guard, guarded by the
 * worker token instead; served only for an open chunk of a running run whose plan lists the credential
 * (403 otherwise). Every read and every refusal is audited with run, chunk and worker; the response is
 * never logged and is not in the public OpenAPI document.
 */
@ApiExcludeController()
@Controller('internal/credentials')
@Public()
@UseGuards(WorkerTokenGuard)
export class InternalCredentialsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly grants: CredentialGrants,
    private readonly audit: AuditService,
  ) {}

  @Get(':id')
  async secret(
    @UuidParam() id: string,
    @ZodQuery(CredentialRequestQuerySchema) chunk: CredentialRequestQuery,
    @Req() req: Request,
  ): Promise<CredentialSecretResponse> {
    const worker = WorkerIdSchema.safeParse(req.headers[WORKER_ID_HEADER]);
    const actor = `worker:${worker.success ? worker.data : 'unidentified'}`;
    const details = {
      run: chunk.run,
      chunk: chunk.chunk,
      worker: worker.success ? worker.data : null,
    };
    const refusal = worker.success
      ? await this.grants.refusal(id, chunk)
      : `no valid ${WORKER_ID_HEADER} header`;
    if (refusal) {
      await this.audit.record(req, {
        actor,
        action: 'credential.read',
        target: id,
        outcome: 'denied',
        details: { ...details, status: 403, reason: refusal },
      });
      throw new ForbiddenException(`credential ${id} is not served for this chunk: ${refusal}`);
    }
    const opened = await this.credentials.secret(id);
    await this.audit.record(req, {
      actor,
      action: 'credential.read',
      target: id,
      outcome: 'allowed',
      details,
    });
    return opened;
  }
}
