import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
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
import { Endpoint } from '../api/common/endpoint.decorator.js';

/** Admin only (no @Roles): a webhook decides where the fleet's violations are sent. */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Endpoint('Create a webhook (violations to Slack, e-mail or a URL)', { errors: [409] })
  @ZodResponse(201, WebhookResponseSchema, 'the webhook without its secret')
  create(@ZodBody(WebhookCreateSchema) body: WebhookCreate, @CurrentPrincipal() by?: Principal) {
    return this.webhooks.create(body, actorOf(by));
  }

  @Get()
  @Endpoint('List webhooks')
  @ZodResponse(200, z.array(WebhookResponseSchema))
  list() {
    return this.webhooks.list();
  }

  @Get(':id')
  @Endpoint('Get a webhook', { errors: [404] })
  @ZodResponse(200, WebhookResponseSchema)
  get(@UuidParam() id: string) {
    return this.webhooks.get(id);
  }

  @Put(':id')
  @Endpoint('Replace a webhook', { errors: [404, 409] })
  @ZodResponse(200, WebhookResponseSchema, 'the webhook as replaced (without `secret`, the stored one stays)')
  update(@UuidParam() id: string, @ZodBody(WebhookUpdateSchema) body: WebhookUpdate) {
    return this.webhooks.update(id, body);
  }

  @Delete(':id')
  @Endpoint('Delete a webhook', { errors: [404], noContent: true })
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @Endpoint("List a webhook's deliveries", { errors: [404] })
  @ZodResponse(200, z.array(WebhookDeliveryResponseSchema), 'newest first')
  deliveries(
    @UuidParam() id: string,
    @ZodQuery(WebhookDeliveriesQuerySchema) query: z.infer<typeof WebhookDeliveriesQuerySchema>,
  ) {
    return this.webhooks.deliveries(id, query.limit);
  }
}
