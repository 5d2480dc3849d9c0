import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CreatedTokenSchema,
  CreateTokenSchema,
  PrincipalSchema,
  TokenInfoSchema,
  type CreateTokenRequest,
} from '@fleetqry/contracts';
import { z } from 'zod';

import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodResponse } from '../common/zod-decorators.js';
import { TokensService } from './tokens.service.js';
import { Endpoint } from '../common/endpoint.decorator.js';

/** Admin-only (no @Roles on the class), except `GET /tokens/me`. */
@ApiTags('tokens')
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @Endpoint('Create an API token (shown once)', { errors: [409] })
  @ZodResponse(201, CreatedTokenSchema, 'the token, shown this once')
  create(@ZodBody(CreateTokenSchema) body: CreateTokenRequest, @CurrentPrincipal() by?: Principal) {
    return this.tokens.create(body, by);
  }

  @Get()
  @Endpoint('List API tokens')
  @ZodResponse(200, z.array(TokenInfoSchema))
  list() {
    return this.tokens.list();
  }

  /** Who am I: lets a client check its token and role. */
  @Get('me')
  @ZodResponse(200, PrincipalSchema)
  @Endpoint("The caller's own token")
  @Roles('viewer')
  me(@CurrentPrincipal() me?: Principal) {
    return me;
  }

  /** Revocation: the token gets 401 from its next request on. */
  @Delete(':id')
  @Endpoint('Revoke an API token', { errors: [404] })
  @HttpCode(200)
  @ZodResponse(200, TokenInfoSchema)
  revoke(@UuidParam() id: string) {
    return this.tokens.revoke(id);
  }
}
