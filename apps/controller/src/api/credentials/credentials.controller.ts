import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CredentialCreateSchema, CredentialResponseSchema } from '@fleetqry/contracts';
import { z } from 'zod';

import { actorOf, CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { UuidParam, ZodBody, ZodResponse } from '../common/zod-decorators.js';
import { CredentialsService } from './credentials.service.js';
import { Endpoint } from '../common/endpoint.decorator.js';

/** Admin only (no @Roles): even credential metadata. No route returns a secret. */
@ApiTags('credentials')
@Controller('credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post()
  @Endpoint('Store a credential (write-only secret)', { errors: [409] })
  @ZodResponse(201, CredentialResponseSchema, 'the credential without its secret')
  create(
    @ZodBody(CredentialCreateSchema) body: z.infer<typeof CredentialCreateSchema>,
    @CurrentPrincipal() by?: Principal,
  ) {
    return this.credentials.create(body, actorOf(by));
  }

  @Get()
  @Endpoint('List credentials (metadata only)')
  @ZodResponse(200, z.array(CredentialResponseSchema))
  list() {
    return this.credentials.list();
  }

  @Get(':id')
  @Endpoint("Get a credential's metadata", { errors: [404] })
  @ZodResponse(200, CredentialResponseSchema)
  get(@UuidParam() id: string) {
    return this.credentials.get(id);
  }

  @Delete(':id')
  @Endpoint('Delete a credential', { errors: [404], noContent: true })
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.credentials.remove(id);
  }
}
