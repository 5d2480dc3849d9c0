import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import {
  InventoryImportQuerySchema,
  InventoryResponseSchema,
  InventoryUpsertSchema,
  pageOf,
  PageQuerySchema,
  type PageQuery,
} from '@fleetqry/contracts';
import type { z } from 'zod';

import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodQuery, ZodResponse } from '../common/zod-decorators.js';
import { InventoriesService } from './inventories.service.js';
import { TextBody } from './text-body.decorator.js';
import { Endpoint } from '../common/endpoint.decorator.js';

/** Operators manage inventories; viewers read them. */
@ApiTags('inventories')
@Controller('inventories')
@Roles('operator')
export class InventoriesController {
  constructor(private readonly inventories: InventoriesService) {}

  @Get()
  @Endpoint('List inventories')
  @Roles('viewer')
  @ZodResponse(200, pageOf(InventoryResponseSchema))
  list(@ZodQuery(PageQuerySchema) page: PageQuery) {
    return this.inventories.list(page);
  }

  @Get(':id')
  @Endpoint('Get an inventory', { errors: [404] })
  @Roles('viewer')
  @ZodResponse(200, InventoryResponseSchema)
  get(@UuidParam() id: string) {
    return this.inventories.get(id);
  }

  @Post()
  @Endpoint('Create an inventory', { errors: [409] })
  @ZodResponse(201, InventoryResponseSchema)
  create(@ZodBody(InventoryUpsertSchema) body: z.infer<typeof InventoryUpsertSchema>) {
    return this.inventories.create(body);
  }

  /** The body is the file's text (Content-Type text/yaml, text/csv or text/plain). */
  @Post('import')
  @Endpoint('Import an inventory file (YAML or hosts CSV)', { errors: [409, 413] })
  @ApiBody({ schema: { type: 'string' }, description: 'inventory YAML (InventorySchema) or hosts CSV' })
  @ZodResponse(201, InventoryResponseSchema)
  async import(
    @TextBody() text: string,
    @ZodQuery(InventoryImportQuerySchema) query: z.infer<typeof InventoryImportQuerySchema>,
  ) {
    return (await this.inventories.import(text, query)).inventory;
  }

  @Put(':id')
  @Endpoint('Replace an inventory', { errors: [404, 409] })
  @ZodResponse(200, InventoryResponseSchema)
  replace(
    @UuidParam() id: string,
    @ZodBody(InventoryUpsertSchema) body: z.infer<typeof InventoryUpsertSchema>,
  ) {
    return this.inventories.replace(id, body);
  }

  @Delete(':id')
  @Endpoint('Delete an inventory', { errors: [404, 409], noContent: true })
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.inventories.remove(id);
  }
}
