import { Injectable, NotFoundException } from '@nestjs/common';
import { BUILTIN_GROUPS, GroupCatalog, parsePortSpec, PortParseError } from '@fleetqry/probe';
import {
  createServiceGroup,
  deleteServiceGroup,
  getServiceGroup,
  listServiceGroups,
  updateServiceGroup,
  type ServiceGroupInput,
} from '@fleetqry/store';
import type { ApiIssue } from '@fleetqry/contracts';

import { StoreService } from '../../store/store.service.js';
import { validationError } from '../common/zod-validation.pipe.js';

/** Port specs are checked with the probe's parser, so a stored group always plans. */
function checkGroup(input: ServiceGroupInput): void {
  const issues: ApiIssue[] = [];
  for (const proto of ['tcp', 'udp'] as const) {
    const text = input[proto];
    if (!text) continue;
    try {
      parsePortSpec(text).forProto(proto);
    } catch (e) {
      issues.push({ path: proto, message: e instanceof PortParseError ? e.message : String(e) });
    }
  }
  if (GroupCatalog.builtin().has(input.name))
    issues.push({ path: 'name', message: `"${input.name}" is a built-in group` });
  if (issues.length) throw validationError(issues, 'service group');
}

@Injectable()
export class ServiceGroupsService {
  constructor(private readonly stores: StoreService) {}

  list() {
    return listServiceGroups(this.stores.prisma);
  }

  /** Built-in groups (libs/probe) for reference; they cannot be edited. */
  builtin() {
    return BUILTIN_GROUPS;
  }

  async get(id: string) {
    const g = await getServiceGroup(this.stores.prisma, id);
    if (!g) throw new NotFoundException(`no service group ${id}`);
    return g;
  }

  create(input: ServiceGroupInput) {
    checkGroup(input);
    return createServiceGroup(this.stores.prisma, input);
  }

  async update(id: string, input: ServiceGroupInput) {
    checkGroup(input);
    const g = await updateServiceGroup(this.stores.prisma, id, input);
    if (!g) throw new NotFoundException(`no service group ${id}`);
    return g;
  }

  async remove(id: string): Promise<void> {
    if (!(await deleteServiceGroup(this.stores.prisma, id)))
      throw new NotFoundException(`no service group ${id}`);
  }
}
