import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  BuiltinServiceGroupSchema,
  ServiceGroupResponseSchema,
  ServiceGroupUpsertSchema,
} from '@fleetqry/contracts';
import { z } from 'zod';

import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodResponse } from '../common/zod-decorators.js';
import { ServiceGroupsService } from './service-groups.service.js';
import { Endpoint } from '../common/endpoint.decorator.js';

type Upsert = z.infer<typeof ServiceGroupUpsertSchema>;

/** Port groups are part of scan configuration: operators manage them. */
@ApiTags('service-groups')
@Controller('service-groups')
@Roles('operator')
export class ServiceGroupsController {
  constructor(private readonly groups: ServiceGroupsService) {}

  @Get()
  @Endpoint('List stored service groups')
  @Roles('viewer')
  @ZodResponse(200, z.array(ServiceGroupResponseSchema))
  list() {
    return this.groups.list();
  }

  @Get('builtin')
  @ZodResponse(200, z.array(BuiltinServiceGroupSchema))
  @Endpoint('List the built-in service groups')
  @Roles('viewer')
  builtin() {
    return this.groups.builtin();
  }

  @Get(':id')
  @Endpoint('Get a service group', { errors: [404] })
  @Roles('viewer')
  @ZodResponse(200, ServiceGroupResponseSchema)
  get(@UuidParam() id: string) {
    return this.groups.get(id);
  }

  @Post()
  @Endpoint('Create a service group', { errors: [409] })
  @ZodResponse(201, ServiceGroupResponseSchema)
  create(@ZodBody(ServiceGroupUpsertSchema) body: Upsert) {
    return this.groups.create(body);
  }

  @Put(':id')
  @Endpoint('Replace a service group', { errors: [404, 409] })
  @ZodResponse(200, ServiceGroupResponseSchema)
  update(@UuidParam() id: string, @ZodBody(ServiceGroupUpsertSchema) body: Upsert) {
    return this.groups.update(id, body);
  }

  @Delete(':id')
  @Endpoint('Delete a service group', { errors: [404], noContent: true })
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.groups.remove(id);
  }
}
