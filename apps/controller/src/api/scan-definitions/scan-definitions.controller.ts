import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  pageOf,
  PageQuerySchema,
  ScanDefinitionCreateSchema,
  ScanDefinitionResponseSchema,
  ScanDefinitionUpdateSchema,
  type PageQuery,
} from '@fleetqry/contracts';
import type { z } from 'zod';

import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodQuery, ZodResponse } from '../common/zod-decorators.js';
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
