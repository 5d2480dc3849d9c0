import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CredentialCreateSchema, CredentialResponseSchema } from '@fleetqry/contracts';
import { z } from 'zod';

import { actorOf, CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { UuidParam, ZodBody, ZodResponse } from '../common/zod-decorators.js';
import { CredentialsService } from './credentials.service.js';

/** Admin only (no @Roles): even credential metadata. No route returns a secret. */
@ApiTags('credentials')
@ApiBearerAuth()
@Controller('credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post()
  @ZodResponse(201, CredentialResponseSchema, 'the credential without its secret')
  create(
    @ZodBody(CredentialCreateSchema) body: z.infer<typeof CredentialCreateSchema>,
    @CurrentPrincipal() by?: Principal,
  ) {
    return this.credentials.create(body, actorOf(by));
  }

  @Get()
  @ZodResponse(200, z.array(CredentialResponseSchema))
  list() {
    return this.credentials.list();
  }

  @Get(':id')
  @ZodResponse(200, CredentialResponseSchema)
  get(@UuidParam() id: string) {
    return this.credentials.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.credentials.remove(id);
  }
}
