import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PolicyResponseSchema, PolicyUploadSchema } from '@fleetqry/contracts';
import { z } from 'zod';

import { actorOf, CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { Roles } from '../../auth/roles.decorator.js';
import { ZodBody, ZodQuery, ZodResponse } from '../common/zod-decorators.js';
import { PoliciesService } from './policies.service.js';
import { Endpoint } from '../common/endpoint.decorator.js';

const VersionQuerySchema = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

/** Admins change policies (a new version per upload); operators read them to pick one for a scan. */
@ApiTags('policies')
@Controller('policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Post()
  @Endpoint('Upload a policy (YAML), as a new version', { errors: [409] })
  @ZodResponse(201, PolicyResponseSchema, 'the stored version (n+1 if the name exists)')
  upload(
    @ZodBody(PolicyUploadSchema) body: z.infer<typeof PolicyUploadSchema>,
    @CurrentPrincipal() by?: Principal,
  ) {
    return this.policies.upload(body, actorOf(by));
  }

  @Get()
  @Endpoint('List policies')
  @Roles('operator')
  @ZodResponse(200, z.array(PolicyResponseSchema), 'the latest version of each policy')
  list() {
    return this.policies.list();
  }

  @Get(':name')
  @Endpoint('Get a policy (latest or a version)', { errors: [404] })
  @Roles('operator')
  @ZodResponse(200, PolicyResponseSchema)
  get(@Param('name') name: string, @ZodQuery(VersionQuerySchema) q: z.infer<typeof VersionQuerySchema>) {
    return this.policies.get(name, q.version);
  }

  @Get(':name/versions')
  @Endpoint("List a policy's versions", { errors: [404] })
  @Roles('operator')
  @ZodResponse(200, z.array(PolicyResponseSchema))
  versions(@Param('name') name: string) {
    return this.policies.versions(name);
  }

  @Delete(':name')
  @Endpoint('Delete a policy', { errors: [404, 409], noContent: true })
  @HttpCode(204)
  remove(@Param('name') name: string) {
    return this.policies.remove(name);
  }
}
