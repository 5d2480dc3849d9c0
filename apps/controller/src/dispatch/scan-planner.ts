import { Inject, Injectable } from '@nestjs/common';
import {
  literalSnmpSecrets,
  type Inventory,
  type JobScanConfig,
  type PlanFailure,
} from '@fleetqry/contracts';
import { planScan, ScanRequestError, type ScanPlan, type ScanRequest } from '@fleetqry/probe';
import {
  documentHosts,
  getScanDefinitionWithInventory,
  listScopeRules,
  listServiceGroups,
  type ScanDefinition,
} from '@fleetqry/store';
import {
  definitionScanRequest,
  narrowScope,
  planChunks,
  storedGroupCatalog,
  storedInventoryOrigins,
  type LoadedInventory,
  type PlannedChunk,
} from '@fleetqry/sweep';
import { toJobConfig } from '@fleetqry/sweep/jobs';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { StoreService } from '../store/store.service.js';
import { DISPATCH_CONFIG, type DispatchConfig } from './dispatch-config.js';

export class ScanDefinitionNotFoundError extends Error {
  constructor(id: string) {
    super(`scan definition ${id} does not exist`);
    this.name = 'ScanDefinitionNotFoundError';
  }
}

export interface PlannedScan {
  definition: ScanDefinition;
  loaded: LoadedInventory;
  plan: ScanPlan;
  job: JobScanConfig;
  chunks: PlannedChunk[];
  /** Targets that could not be resolved at plan time (never probed). */
  failures: PlanFailure[];
}

/**
 * The plan stage for a stored scan definition: its inventory as the same LoadedInventory the CLI builds
 * from a file, then libs/sweep's request, scope narrowing and chunking (this class only loads what they
 * need from the store). Communities never enter the plan: the scan's credentials travel as ids.
 */
@Injectable()
export class ScanPlanner {
  constructor(
    @Inject(StoreService) private readonly store: StoreService,
    @Inject(APP_CONFIG) private readonly app: AppConfig,
    @Inject(DISPATCH_CONFIG) private readonly config: DispatchConfig,
  ) {}

  /** The definition and its inventory as the policy stage needs them (also at completion). */
  async load(scanDefinitionId: string): Promise<{ definition: ScanDefinition; loaded: LoadedInventory }> {
    const found = await getScanDefinitionWithInventory(this.store.prisma, scanDefinitionId);
    if (!found) throw new ScanDefinitionNotFoundError(scanDefinitionId);
    const { definition, inventory, hosts } = found;
    if (!inventory) throw new ScanRequestError(`scan definition ${definition.name}: it has no inventory`);
    const document: Inventory = inventory.document ?? { version: 1, targets: [], ports: {} };
    const literal = literalSnmpSecrets(document.snmp);
    if (literal.length)
      throw new ScanRequestError(
        `inventory ${inventory.name}: snmp.${literal[0]} holds literal SNMP secrets; store them as credentials`,
      );
    const loaded: LoadedInventory = {
      inventory: { ...document, targets: hosts },
      hosts,
      origins: storedInventoryOrigins(inventory.name, documentHosts(document), hosts),
      source: `inventory:${inventory.id}`,
      name: inventory.name,
    };
    return { definition, loaded };
  }

  async plan(scanDefinitionId: string): Promise<PlannedScan> {
    const { definition, loaded } = await this.load(scanDefinitionId);
    if (loaded.hosts.length === 0)
      throw new ScanRequestError(`scan definition ${definition.name}: its inventory selects no host`);
    const request = {
      ...this.request(definition, loaded, await this.scope()),
      groups: storedGroupCatalog(await listServiceGroups(this.store.prisma)),
    };
    const plan = await planScan(request);
    const credentialIds = [
      ...new Set([...definition.credentialIds, ...(loaded.inventory.snmp?.credentials ?? [])]),
    ];
    const { chunks, failures } = await planChunks(plan, this.config.chunkProbes);
    return { definition, loaded, plan, job: toJobConfig(plan.config, credentialIds), chunks, failures };
  }

  private request(
    definition: ScanDefinition,
    loaded: LoadedInventory,
    scope: ScanRequest['scope'],
  ): ScanRequest {
    return definitionScanRequest(definition, loaded, {
      scope,
      maxHosts: this.config.maxHosts,
      noReverse: !this.config.reverseDns,
      dnsServers: this.config.dnsServers,
      ports: { defaultExcludedPorts: this.config.excludePorts || undefined },
    });
  }

  /** The deployment's scope (FLEETQRY_SCOPE_*, the ceiling) narrowed by the stored scope rules. */
  private async scope(): Promise<ScanRequest['scope']> {
    return narrowScope(this.app.scope, await listScopeRules(this.store.prisma));
  }
}
