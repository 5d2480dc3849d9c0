import { Injectable, NotFoundException } from '@nestjs/common';
import type {
  HostViewDetail,
  HostViewListQuery,
  HostViewPush,
  HostViewPushResult,
  HostViewSummary,
} from '@fleetqry/contracts';
import { addressKey } from '@fleetqry/policy';
import { getHostView, listHostViews, saveHostView, type HostViewRecord } from '@fleetqry/store';

import { StoreService } from '../../store/store.service.js';
import { validationError } from '../common/zod-validation.pipe.js';

/** A view taken further in the future than this is refused: it would shadow every later push. */
const MAX_CLOCK_SKEW_MS = 10 * 60_000;

const canonical = (address: string): string => addressKey(address) ?? address;

function summary(r: Omit<HostViewRecord, 'sockets'>): HostViewSummary {
  return {
    id: r.id,
    hostname: r.hostname,
    addresses: r.addresses,
    takenAt: r.takenAt.toISOString(),
    receivedAt: r.receivedAt.toISOString(),
    reportedBy: r.reportedBy,
    listeners: r.listenerCount,
    problems: r.problems,
    agentVersion: r.agentVersion,
  };
}

@Injectable()
export class HostViewsService {
  constructor(private readonly stores: StoreService) {}

  async push(input: HostViewPush, reportedBy: string, now = new Date()): Promise<HostViewPushResult> {
    const takenAt = new Date(input.takenAt);
    if (takenAt.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS)
      throw validationError([
        { path: 'takenAt', message: "is more than 10 minutes in the future (check the host's clock)" },
      ]);
    const { view, stored } = await saveHostView(this.stores.prisma, {
      hostname: input.hostname.toLowerCase(),
      addresses: [...new Set(input.addresses.map(canonical))],
      takenAt,
      reportedBy,
      sockets: input.sockets,
      problems: input.problems,
      ...(input.agentVersion !== undefined ? { agentVersion: input.agentVersion } : {}),
      receivedAt: now,
    });
    return { ...summary(view), stored };
  }

  async list(
    q: HostViewListQuery,
  ): Promise<{ items: HostViewSummary[]; total: number; limit: number; offset: number }> {
    const { items, total } = await listHostViews(this.stores.prisma, {
      ...(q.address !== undefined ? { address: canonical(q.address) } : {}),
      ...(q.hostname !== undefined ? { hostname: q.hostname.toLowerCase() } : {}),
      limit: q.limit,
      offset: q.offset,
    });
    return { items: items.map(summary), total, limit: q.limit, offset: q.offset };
  }

  async get(id: string): Promise<HostViewDetail> {
    const view = await getHostView(this.stores.prisma, id);
    if (!view) throw new NotFoundException(`no host view ${id}`);
    return { ...summary(view), sockets: view.sockets };
  }
}
