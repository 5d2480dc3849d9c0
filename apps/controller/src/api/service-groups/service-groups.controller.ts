import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ServiceGroupResponseSchema, ServiceGroupUpsertSchema } from '@fleetqry/contracts';
import { z } from 'zod';

import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodResponse } from '../common/zod-decorators.js';
import { ServiceGroupsService } from './service-groups.service.js';

type Upsert = z.infer<typeof ServiceGroupUpsertSchema>;

/** Port groups are part of scan configuration: operators manage them. */
@ApiTags('service-groups')
@ApiBearerAuth()
@Controller('service-groups')
@Roles('operator')
export class ServiceGroupsController {
  constructor(private readonly groups: ServiceGroupsService) {}

  @Get()
  @Roles('viewer')
  @ZodResponse(200, z.array(ServiceGroupResponseSchema))
  list() {
    return this.groups.list();
  }

  @Get('builtin')
  @Roles('viewer')
  builtin() {
    return this.groups.builtin();
  }

  @Get(':id')
  @Roles('viewer')
  @ZodResponse(200, ServiceGroupResponseSchema)
  get(@UuidParam() id: string) {
    return this.groups.get(id);
  }

  @Post()
  @ZodResponse(201, ServiceGroupResponseSchema)
  create(@ZodBody(ServiceGroupUpsertSchema) body: Upsert) {
    return this.groups.create(body);
  }

  @Put(':id')
  @ZodResponse(200, ServiceGroupResponseSchema)
  update(@UuidParam() id: string, @ZodBody(ServiceGroupUpsertSchema) body: Upsert) {
    return this.groups.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.groups.remove(id);
  }
}
