import { Injectable, NotFoundException } from '@nestjs/common';
import type { ApiIssue, ScanDefinitionCreateSchema, ScanDefinitionUpdateSchema } from '@fleetqry/contracts';
import { BUILTIN_POLICY_NAMES } from '@fleetqry/policy';
import {
  createScanDefinition,
  deleteScanDefinition,
  getInventory,
  getPolicy,
  getScanDefinition,
  listScanDefinitions,
  listServiceGroups,
  updateScanDefinition,
  type ScanDefinition,
  type ScanDefinitionInput,
} from '@fleetqry/store';
import { storedGroupCatalog } from '@fleetqry/sweep';
import type { z } from 'zod';

import { StoreService } from '../../store/store.service.js';
import { checkNameIssues, portSpecIssue, snmpCredentialIssues } from '../common/scan-input-checks.js';
import { validationError } from '../common/zod-validation.pipe.js';
import { ScanDefinitionEvents } from './scan-definition-events.js';
import { cronProblem, timezoneProblem } from './schedule.js';

type Create = z.infer<typeof ScanDefinitionCreateSchema>;
type Update = z.infer<typeof ScanDefinitionUpdateSchema>;

/**
 * Scan definitions: what to scan (inventory + selector), which ports/checks/credentials, which policy, and
 * when (cron + IANA zone). Everything a plan will need is checked here, at write time, so a scheduled run at
 * 3 a.m. does not fail on a typo. The dispatch module upserts the schedules into BullMQ.
 */
@Injectable()
export class ScanDefinitionsService {
  constructor(
    private readonly stores: StoreService,
    private readonly events: ScanDefinitionEvents,
  ) {}

  list(page: { limit: number; offset: number }) {
    return listScanDefinitions(this.stores.prisma, page).then((p) => ({ ...p, ...page }));
  }

  async get(id: string): Promise<ScanDefinition> {
    const def = await getScanDefinition(this.stores.prisma, id);
    if (!def) throw new NotFoundException(`no scan definition ${id}`);
    return def;
  }

  async create(input: Create): Promise<ScanDefinition> {
    const data = toInput(input);
    await this.check({ timezone: 'UTC', ...data });
    const def = await createScanDefinition(this.stores.prisma, data as ScanDefinitionInput);
    this.events.changes.next({ id: def.id, kind: 'created' });
    return def;
  }

  async update(id: string, input: Update): Promise<ScanDefinition> {
    const current = await this.get(id);
    const data = toInput(input);
    // Cron and zone are checked together: a new zone can make an old expression's meaning change, not its validity.
    const { selector: _s, ...stored } = current;
    await this.check({ ...stored, ...data });
    const def = await updateScanDefinition(this.stores.prisma, id, data);
    if (!def) throw new NotFoundException(`no scan definition ${id}`);
    this.events.changes.next({ id, kind: 'updated' });
    return def;
  }

  async remove(id: string): Promise<void> {
    if (!(await deleteScanDefinition(this.stores.prisma, id)))
      throw new NotFoundException(`no scan definition ${id}`);
    this.events.changes.next({ id, kind: 'deleted' });
  }

  private async check(d: Partial<ScanDefinitionInput>): Promise<void> {
    const issues: ApiIssue[] = [];
    const db = this.stores.prisma;
    const tz = d.timezone ?? 'UTC';
    const tzProblem = timezoneProblem(tz);
    if (tzProblem) issues.push({ path: 'timezone', message: tzProblem });
    if (d.schedule) {
      const problem = cronProblem(d.schedule, tzProblem ? 'UTC' : tz);
      if (problem) issues.push({ path: 'schedule', message: problem });
    }
    issues.push(
      ...portSpecIssue(d.tcpPorts ?? undefined, 'tcpPorts', 'tcp'),
      ...portSpecIssue(d.udpPorts ?? undefined, 'udpPorts', 'udp'),
      ...checkNameIssues(d.checks as string[] | undefined, 'checks'),
    );
    if (d.inventoryId && !(await getInventory(db, d.inventoryId)))
      issues.push({ path: 'inventoryId', message: `no inventory ${d.inventoryId}` });
    const groups = (d.serviceGroups as string[] | undefined) ?? [];
    if (groups.length) {
      const catalog = storedGroupCatalog(await listServiceGroups(db));
      groups.forEach((g, i) => {
        if (!catalog.has(g))
          issues.push({ path: `serviceGroups[${i}]`, message: `no built-in or stored service group "${g}"` });
      });
    }
    issues.push(
      ...(await snmpCredentialIssues(db, d.credentialIds as string[] | undefined, 'credentialIds')),
    );
    const policy = d.policy ?? 'baseline';
    if (!(BUILTIN_POLICY_NAMES as readonly string[]).includes(policy)) {
      const version = d.policyVersion ?? undefined;
      if (!(await getPolicy(db, policy, version ?? undefined)))
        issues.push({
          path: d.policyVersion ? 'policyVersion' : 'policy',
          message: `no built-in or stored policy "${policy}"${version ? ` version ${version}` : ''}`,
        });
    }
    if (issues.length) throw validationError(issues, 'scan definition');
  }
}

/** Request fields → store fields; absent stays absent (PATCH), null clears. */
function toInput(input: Update): Partial<ScanDefinitionInput> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}
