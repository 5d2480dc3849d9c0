import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { WaiverCreateSchema, WaiverListQuerySchema, WaiverResponseSchema } from '@fleetqry/contracts';
import { z } from 'zod';

import { actorOf, CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodQuery, ZodResponse } from '../common/zod-decorators.js';
import { WaiversService } from './waivers.service.js';

/** Accepting a risk is a policy exception: admins grant and revoke; everyone can see what is waived. */
@ApiTags('waivers')
@ApiBearerAuth()
@Controller('waivers')
export class WaiversController {
  constructor(private readonly waivers: WaiversService) {}

  @Get()
  @Roles('viewer')
  @ZodResponse(200, z.array(WaiverResponseSchema))
  list(@ZodQuery(WaiverListQuerySchema) q: z.infer<typeof WaiverListQuerySchema>) {
    return this.waivers.list(q.active === 'true');
  }

  @Post()
  @ZodResponse(201, WaiverResponseSchema)
  create(
    @ZodBody(WaiverCreateSchema) body: z.infer<typeof WaiverCreateSchema>,
    @CurrentPrincipal() by?: Principal,
  ) {
    return this.waivers.create(body, actorOf(by));
  }

  /** Revokes (kept for the record); the next evaluation no longer applies it. */
  @Delete(':id')
  @HttpCode(200)
  @ZodResponse(200, WaiverResponseSchema)
  revoke(@UuidParam() id: string) {
    return this.waivers.revoke(id);
  }
}
