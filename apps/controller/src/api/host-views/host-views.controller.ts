import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HostViewDetailSchema,
  HostViewListQuerySchema,
  HostViewPushResultSchema,
  HostViewPushSchema,
  HostViewSummarySchema,
  pageOf,
  type HostViewListQuery,
  type HostViewPush,
} from '@fleetqry/contracts';

import { actorOf, CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodQuery, ZodResponse } from '../common/zod-decorators.js';
import { HostViewsService } from './host-views.service.js';
import { Endpoint } from '../common/endpoint.decorator.js';

/**
 * Host views: each host's listener table with the owning process, pushed by `fleetqry agent` (operator
 * token), held against the network view by the host view policy rules. The latest view per host name is kept.
 */
@ApiTags('host-views')
@Controller('host-views')
export class HostViewsController {
  constructor(private readonly views: HostViewsService) {}

  @Post()
  @Endpoint("Push a host's listener table (fleetqry agent)")
  @Roles('operator')
  @HttpCode(201)
  @ZodResponse(201, HostViewPushResultSchema, 'the view now stored for the host')
  push(@ZodBody(HostViewPushSchema) body: HostViewPush, @CurrentPrincipal() by?: Principal) {
    return this.views.push(body, actorOf(by));
  }

  @Get()
  @Endpoint('List host views')
  @Roles('viewer')
  @ZodResponse(200, pageOf(HostViewSummarySchema))
  list(@ZodQuery(HostViewListQuerySchema) q: HostViewListQuery) {
    return this.views.list(q);
  }

  @Get(':id')
  @Endpoint('Get a host view', { errors: [404] })
  @Roles('viewer')
  @ZodResponse(200, HostViewDetailSchema)
  get(@UuidParam() id: string) {
    return this.views.get(id);
  }
}
