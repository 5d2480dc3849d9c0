import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuditEntrySchema, AuditQuerySchema } from '@fleetqry/contracts';
import { listAudit } from '@fleetqry/store';
import { z } from 'zod';

import { StoreService } from '../../store/store.service.js';
import { ZodQuery, ZodResponse } from '../common/zod-decorators.js';
import { Endpoint } from '../common/endpoint.decorator.js';

/** Admin only: who did what, when, from where, and what was refused. */
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly stores: StoreService) {}

  @Get()
  @Endpoint('Read the audit log')
  @ZodResponse(200, z.array(AuditEntrySchema))
  async list(@ZodQuery(AuditQuerySchema) q: z.infer<typeof AuditQuerySchema>) {
    const rows = await listAudit(this.stores.prisma, {
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.outcome ? { outcome: q.outcome } : {}),
      ...(q.since ? { since: new Date(q.since) } : {}),
      limit: q.limit,
    });
    // The id is a BigInt (the log outlives 2^31 rows); JSON has no BigInt.
    return rows.map((r) => ({ ...r, id: r.id.toString() }));
  }
}
