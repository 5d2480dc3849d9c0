import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { WaiverCreateSchema, WaiverListQuerySchema, WaiverResponseSchema } from '@fleetqry/contracts';
import { z } from 'zod';

import { actorOf, CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodQuery, ZodResponse } from '../common/zod-decorators.js';
import { WaiversService } from './waivers.service.js';
import { Endpoint } from '../common/endpoint.decorator.js';

/** Accepting a risk is a policy exception: admins grant and revoke; everyone can see what is waived. */
@ApiTags('waivers')
@Controller('waivers')
export class WaiversController {
  constructor(private readonly waivers: WaiversService) {}

  @Get()
  @Endpoint('List waivers')
  @Roles('viewer')
  @ZodResponse(200, z.array(WaiverResponseSchema))
  list(@ZodQuery(WaiverListQuerySchema) q: z.infer<typeof WaiverListQuerySchema>) {
    return this.waivers.list(q.active === 'true');
  }

  @Post()
  @Endpoint('Waive a finding until a date', { errors: [409] })
  @ZodResponse(201, WaiverResponseSchema)
  create(
    @ZodBody(WaiverCreateSchema) body: z.infer<typeof WaiverCreateSchema>,
    @CurrentPrincipal() by?: Principal,
  ) {
    return this.waivers.create(body, actorOf(by));
  }

  /** Revokes (kept for the record); the next evaluation no longer applies it. */
  @Delete(':id')
  @Endpoint('Revoke a waiver', { errors: [404] })
  @HttpCode(200)
  @ZodResponse(200, WaiverResponseSchema)
  revoke(@UuidParam() id: string) {
    return this.waivers.revoke(id);
  }
}
