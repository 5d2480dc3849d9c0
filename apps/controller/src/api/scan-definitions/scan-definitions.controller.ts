import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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

@ApiTags('scan-definitions')
@ApiBearerAuth()
@Controller('scan-definitions')
@Roles('operator')
export class ScanDefinitionsController {
  constructor(private readonly scans: ScanDefinitionsService) {}

  @Get()
  @Roles('viewer')
  @ZodResponse(200, pageOf(ScanDefinitionResponseSchema))
  list(@ZodQuery(PageQuerySchema) page: PageQuery) {
    return this.scans.list(page);
  }

  @Get(':id')
  @Roles('viewer')
  @ZodResponse(200, ScanDefinitionResponseSchema)
  get(@UuidParam() id: string) {
    return this.scans.get(id);
  }

  @Post()
  @ZodResponse(201, ScanDefinitionResponseSchema)
  create(@ZodBody(ScanDefinitionCreateSchema) body: z.infer<typeof ScanDefinitionCreateSchema>) {
    return this.scans.create(body);
  }

  @Patch(':id')
  @ZodResponse(200, ScanDefinitionResponseSchema)
  update(
    @UuidParam() id: string,
    @ZodBody(ScanDefinitionUpdateSchema) body: z.infer<typeof ScanDefinitionUpdateSchema>,
  ) {
    return this.scans.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.scans.remove(id);
  }
}
