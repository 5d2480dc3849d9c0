import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { EffectiveScopeSchema, ScopeRuleCreateSchema, ScopeRuleResponseSchema } from '@fleetqry/contracts';
import type { ScopeRule } from '@fleetqry/store';
import { z } from 'zod';

import { actorOf, CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { Roles } from '../../auth/roles.decorator.js';
import { UuidParam, ZodBody, ZodResponse } from '../common/zod-decorators.js';
import { ScopeService } from './scope.service.js';
import { Endpoint } from '../common/endpoint.decorator.js';

/** Scope is admin territory (changes); operators may read it to see why a target was refused. */
@ApiTags('scope')
@Controller('scope')
export class ScopeRulesController {
  constructor(private readonly scope: ScopeService) {}

  @Get()
  @Endpoint('The effective scan scope')
  @Roles('operator')
  @ZodResponse(200, EffectiveScopeSchema, 'the scope plans are checked against')
  current() {
    return this.scope.current();
  }

  @Get('rules')
  @Endpoint('List stored scope rules')
  @Roles('operator')
  @ZodResponse(200, z.array(ScopeRuleResponseSchema))
  list(): Promise<ScopeRule[]> {
    return this.scope.list();
  }

  @Post('rules')
  @Endpoint("Add a scope rule (inside the deployment's ceiling)", { errors: [409] })
  @ZodResponse(201, ScopeRuleResponseSchema)
  create(
    @ZodBody(ScopeRuleCreateSchema) body: z.infer<typeof ScopeRuleCreateSchema>,
    @CurrentPrincipal() by?: Principal,
  ): Promise<ScopeRule> {
    return this.scope.create(body, actorOf(by));
  }

  @Delete('rules/:id')
  @Endpoint('Delete a scope rule', { errors: [404], noContent: true })
  @HttpCode(204)
  remove(@UuidParam() id: string) {
    return this.scope.remove(id);
  }
}
