import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  pageOf,
  PageQuerySchema,
  ScanDefinitionCreateSchema,
  ScanDefinitionResponseSchema,
  ScanDefinitionUpdateSchema,
  ScheduleQuerySchema,
  ScheduleViewSchema,
  type PageQuery,
} from '@fleetqry/contracts';
import type { z } from 'zod';

import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodQuery, ZodResponse } from '../common/zod-decorators.js';
import { nextFireTimes } from './schedule.js';
import { ScanDefinitionsService } from './scan-definitions.service.js';
import { Endpoint } from '../common/endpoint.decorator.js';

@ApiTags('scan-definitions')
@Controller('scan-definitions')
@Roles('operator')
export class ScanDefinitionsController {
  constructor(private readonly scans: ScanDefinitionsService) {}

  @Get()
  @Endpoint('List scan definitions')
  @Roles('viewer')
  @ZodResponse(200, pageOf(ScanDefinitionResponseSchema))
  list(@ZodQuery(PageQuerySchema) page: PageQuery) {
    return this.scans.list(page);
  }

  @Get(':id')
  @Endpoint('Get a scan definition', { errors: [404] })
  @Roles('viewer')
  @ZodResponse(200, ScanDefinitionResponseSchema)
  get(@UuidParam() id: string) {
    return this.scans.get(id);
  }

  /** The schedule and its next fire times, read as BullMQ's scheduler reads it (cron-parser, the zone). */
  @Get(':id/schedule')
  @Endpoint('Show a scan definition’s schedule and its next fire times', { errors: [404] })
  @Roles('viewer')
  @ZodResponse(200, ScheduleViewSchema)
  async schedule(
    @UuidParam() id: string,
    @ZodQuery(ScheduleQuerySchema) q: z.infer<typeof ScheduleQuerySchema>,
  ) {
    const d = await this.scans.get(id);
    return {
      schedule: d.schedule,
      timezone: d.timezone,
      enabled: d.enabled,
      next: d.schedule && d.enabled ? nextFireTimes(d.schedule, d.timezone, q.count) : [],
    };
  }

  @Post()
  @Endpoint('Create a scan definition (inventory, policy, schedule)', { errors: [404, 409] })
  @ZodResponse(201, ScanDefinitionResponseSchema)
  create(@ZodBody(ScanDefinitionCreateSchema) body: z.infer<typeof ScanDefinitionCreateSchema>) {
    return this.scans.create(body);
  }

  @Patch(':id')
  @Endpoint('Change a scan definition', { errors: [404, 409] })
  @ZodResponse(200, ScanDefinitionResponseSchema)
  update(
    @UuidParam() id: string,
    @ZodBody(ScanDefinitionUpdateSchema) body: z.infer<typeof ScanDefinitionUpdateSchema>,
  ) {
    return this.scans.update(id, body);
  }

  @Delete(':id')
  @Endpoint('Delete a scan definition', { errors: [404], noContent: true })
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.scans.remove(id);
  }
}
