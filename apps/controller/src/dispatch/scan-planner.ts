import { Inject, Injectable } from '@nestjs/common';
import type { ChunkTarget, Inventory, JobScanConfig } from '@fleetqry/contracts';
import {
  parseTarget,
  planScan,
  Scope,
  ScanRequestError,
  type ScanConfig,
  type ScanPlan,
  type ScanRequest,
} from '@fleetqry/probe';
import { getScanDefinitionWithInventory, listScopeRules, type ScanDefinition } from '@fleetqry/store';
import { inventoryScanRequest, type LoadedInventory } from '@fleetqry/sweep';

import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { StoreService } from '../store/store.service.js';
import { DISPATCH_CONFIG, type DispatchConfig } from './dispatch-config.js';

export class ScanDefinitionNotFoundError extends Error {
  constructor(id: string) {
    super(`scan definition ${id} does not exist`);
    this.name = 'ScanDefinitionNotFoundError';
  }
}

export interface PlannedChunk {
  chunkIndex: number;
  targets: ChunkTarget[];
  hosts: number;
  probes: number;
}

export interface PlannedScan {
  definition: ScanDefinition;
  loaded: LoadedInventory;
  plan: ScanPlan;
  job: JobScanConfig;
  chunks: PlannedChunk[];
  /** Targets that could not be resolved at plan time (never probed). */
  failures: { given: string; error: string }[];
}

/**
 * The plan stage for a stored scan definition: its inventory as the same LoadedInventory the CLI builds
 * from a file, the same inventoryScanRequest and planScan, then the resolved targets cut into chunks.
 * Communities never enter the plan: the scan's credentials travel as ids.
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
    if (document.snmp?.communities?.length)
      throw new ScanRequestError(
        `inventory ${inventory.name}: snmp.communities holds literal communities; store them as credentials`,
      );
    const loaded: LoadedInventory = {
      inventory: { ...document, targets: hosts },
      hosts,
      source: `inventory:${inventory.id}`,
      name: inventory.name,
    };
    return { definition, loaded };
  }

  async plan(scanDefinitionId: string): Promise<PlannedScan> {
    const { definition, loaded } = await this.load(scanDefinitionId);
    if (loaded.hosts.length === 0)
      throw new ScanRequestError(`scan definition ${definition.name}: its inventory selects no host`);
    const request = this.request(definition, loaded, await this.scope());
    const plan = await planScan(request);
    const credentialIds = [
      ...new Set([...definition.credentialIds, ...(loaded.inventory.snmp?.credentials ?? [])]),
    ];
    const { chunks, failures } = await this.chunks(plan);
    return { definition, loaded, plan, job: toJobConfig(plan.config, credentialIds), chunks, failures };
  }

  private request(
    definition: ScanDefinition,
    loaded: LoadedInventory,
    scope: ScanRequest['scope'],
  ): ScanRequest {
    const request = inventoryScanRequest(loaded, {
      scope,
      maxHosts: this.config.maxHosts,
      noReverse: !this.config.reverseDns,
      dnsServers: this.config.dnsServers,
      ports: { defaultExcludedPorts: this.config.excludePorts || undefined },
    });
    // The definition narrows or replaces the inventory's ports and checks.
    const overridesPorts = definition.tcpPorts || definition.udpPorts || definition.serviceGroups.length > 0;
    return {
      ...request,
      ...(overridesPorts
        ? {
            ports: {
              ...request.ports,
              tcp: definition.tcpPorts ?? undefined,
              udp: definition.udpPorts ?? undefined,
              groups: definition.serviceGroups.length ? definition.serviceGroups : undefined,
            },
          }
        : {}),
      ...(definition.checks.length ? { queries: definition.checks } : {}),
      // Validated with the default; the real communities are fetched by the workers, by credential id.
      communities: undefined,
    };
  }

  /**
   * The deployment's scope (FLEETQRY_SCOPE_*) narrowed by stored scope rules: stored allow rules replace
   * the allowlist only where they lie inside it (they can narrow, never widen), stored deny rules add.
   */
  private async scope(): Promise<ScanRequest['scope']> {
    const ceiling = new Scope(this.app.scope);
    const rules = await listScopeRules(this.store.prisma);
    const allow = rules
      .filter((r) => r.action === 'allow')
      .map((r) => r.cidr)
      .filter((cidr) => {
        try {
          ceiling.assertTargetsInScope([parseTarget(cidr)]);
          return true;
        } catch {
          return false;
        }
      });
    const deny = rules.filter((r) => r.action === 'deny').map((r) => r.cidr);
    return { allow: allow.length ? allow : this.app.scope.allow, deny: [...this.app.scope.deny, ...deny] };
  }

  private async chunks(plan: ScanPlan): Promise<Pick<PlannedScan, 'chunks' | 'failures'>> {
    const perChunk = Math.max(1, Math.floor(this.config.chunkProbes / Math.max(1, plan.probesPerHost)));
    const chunks: PlannedChunk[] = [];
    const failures: PlannedScan['failures'] = [];
    let current: ChunkTarget[] = [];
    const close = () => {
      if (current.length === 0) return;
      chunks.push({
        chunkIndex: chunks.length,
        targets: current,
        hosts: current.length,
        probes: current.length * plan.probesPerHost,
      });
      current = [];
    };
    for await (const outcome of plan.targets()) {
      if (!outcome.ok) {
        failures.push({ given: outcome.given, error: outcome.error.message });
        continue;
      }
      const t = outcome.target;
      current.push({
        host: t.host,
        address: t.address,
        family: t.family,
        ...(t.exclude
          ? {
              exclude: {
                tcp: t.exclude.tcp.map((r) => [r[0], r[1]]),
                udp: t.exclude.udp.map((r) => [r[0], r[1]]),
              },
            }
          : {}),
      } as ChunkTarget);
      if (current.length >= perChunk) close();
    }
    close();
    return { chunks, failures };
  }
}

/** The plan's ScanConfig for a job: communities out, credential ids in. */
export function toJobConfig(config: ScanConfig, credentialIds: readonly string[]): JobScanConfig {
  const { communities: _secrets, ...protocolOptions } = config.protocolOptions;
  return {
    ...config,
    ports: { tcp: config.ports.tcp.map((r) => [r[0], r[1]]), udp: config.ports.udp.map((r) => [r[0], r[1]]) },
    scope: { allow: [...config.scope.allow], deny: [...(config.scope.deny ?? [])] },
    queries: config.queries === 'all' ? 'all' : [...config.queries],
    protocolOptions,
    communityCredentialIds: [...credentialIds],
  } as unknown as JobScanConfig;
}
