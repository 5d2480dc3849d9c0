import { Injectable, NotFoundException } from '@nestjs/common';
import { parseAddress, parseAddressSelector } from '@fleetqry/policy';
import {
  activeWaivers,
  createWaiver,
  getWaiver,
  listWaivers,
  revokeWaiver,
  type Waiver,
} from '@fleetqry/store';
import type { WaiverCreateSchema } from '@fleetqry/contracts';
import type { z } from 'zod';

import { StoreService } from '../../store/store.service.js';
import { validationError } from '../common/zod-validation.pipe.js';

/**
 * Waivers are applied at evaluation (libs/policy): a matching finding is stored as `waived` with the waiver
 * attached until it expires. Revoked waivers stay in the table (the audit trail of what was accepted).
 */
@Injectable()
export class WaiversService {
  constructor(private readonly stores: StoreService) {}

  async create(input: z.infer<typeof WaiverCreateSchema>, createdBy: string): Promise<Waiver> {
    if (input.address !== undefined && parseAddress(input.address) === undefined)
      throw validationError([{ path: 'address', message: 'not an IPv4/IPv6 address' }]);
    if (input.cidr !== undefined) {
      let ok = input.cidr.includes('/');
      try {
        parseAddressSelector(input.cidr);
      } catch {
        ok = false;
      }
      if (!ok) throw validationError([{ path: 'cidr', message: 'not a CIDR such as 10.0.0.0/24' }]);
    }
    const expiresAt = new Date(input.expiresAt);
    if (!(expiresAt.getTime() > Date.now()))
      throw validationError([{ path: 'expiresAt', message: 'must be in the future' }]);
    return createWaiver(this.stores.prisma, {
      rule: input.rule,
      ...(input.key ? { findingKey: input.key } : {}),
      ...((input.address ?? input.cidr) ? { hostPattern: input.address ?? input.cidr } : {}),
      owner: input.owner,
      reason: input.reason,
      expiresAt,
      createdBy,
    });
  }

  list(activeOnly: boolean): Promise<Waiver[]> {
    return activeOnly ? activeWaivers(this.stores.prisma) : listWaivers(this.stores.prisma);
  }

  async revoke(id: string): Promise<Waiver> {
    if (!(await revokeWaiver(this.stores.prisma, id))) {
      const exists = await getWaiver(this.stores.prisma, id);
      if (!exists) throw new NotFoundException(`no waiver ${id}`);
      return exists;
    }
    return (await getWaiver(this.stores.prisma, id))!;
  }
}
