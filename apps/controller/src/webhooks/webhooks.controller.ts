import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  WebhookCreateSchema,
  WebhookDeliveriesQuerySchema,
  WebhookDeliveryResponseSchema,
  WebhookResponseSchema,
  WebhookUpdateSchema,
  type WebhookCreate,
  type WebhookUpdate,
} from '@fleetqry/contracts';
import { z } from 'zod';

import { actorOf, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { UuidParam, ZodBody, ZodQuery, ZodResponse } from '../api/common/zod-decorators.js';
import { WebhooksService } from './webhooks.service.js';

/** Admin only (no @Roles): a webhook decides where the fleet's violations are sent. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ZodResponse(201, WebhookResponseSchema, 'the webhook without its secret')
  create(@ZodBody(WebhookCreateSchema) body: WebhookCreate, @CurrentPrincipal() by?: Principal) {
    return this.webhooks.create(body, actorOf(by));
  }

  @Get()
  @ZodResponse(200, z.array(WebhookResponseSchema))
  list() {
    return this.webhooks.list();
  }

  @Get(':id')
  @ZodResponse(200, WebhookResponseSchema)
  get(@UuidParam() id: string) {
    return this.webhooks.get(id);
  }

  @Put(':id')
  @ZodResponse(200, WebhookResponseSchema, 'the webhook as replaced (without `secret`, the stored one stays)')
  update(@UuidParam() id: string, @ZodBody(WebhookUpdateSchema) body: WebhookUpdate) {
    return this.webhooks.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @ZodResponse(200, z.array(WebhookDeliveryResponseSchema), 'newest first')
  deliveries(
    @UuidParam() id: string,
    @ZodQuery(WebhookDeliveriesQuerySchema) query: z.infer<typeof WebhookDeliveriesQuerySchema>,
  ) {
    return this.webhooks.deliveries(id, query.limit);
  }
}
