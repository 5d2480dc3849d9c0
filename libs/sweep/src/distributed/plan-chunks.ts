import type { ChunkTarget, PlanFailure } from '@fleetqry/contracts';
import {
  parseTarget,
  Scope,
  targetProbes,
  type ScanPlan,
  type ScanRequest,
  type ScopeConfig,
} from '@fleetqry/probe';

import type { LoadedInventory } from '../inventory/inventory-file.js';
import { inventoryScanRequest } from '../inventory/inventory-request.js';

export interface PlannedChunk {
  chunkIndex: number;
  targets: ChunkTarget[];
  hosts: number;
  probes: number;
}

/** The plan's resolved targets cut into chunks of about `chunkProbes` probes; unresolvable ones apart. */
export async function planChunks(
  plan: ScanPlan,
  chunkProbes: number,
): Promise<{ chunks: PlannedChunk[]; failures: PlanFailure[] }> {
  const perChunk = Math.max(1, Math.floor(chunkProbes / Math.max(1, plan.probesPerHost)));
  const chunks: PlannedChunk[] = [];
  const failures: PlanFailure[] = [];
  let current: ChunkTarget[] = [];
  let probes = 0;
  const close = () => {
    if (current.length === 0) return;
    chunks.push({ chunkIndex: chunks.length, targets: current, hosts: current.length, probes });
    current = [];
    probes = 0;
  };
  for await (const outcome of plan.targets()) {
    if (!outcome.ok) {
      failures.push({ given: outcome.given, error: outcome.error.message });
      continue;
    }
    const t = outcome.target;
    probes += targetProbes(plan.ports, t.exclude);
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
    });
    if (current.length >= perChunk) close();
  }
  close();
  return { chunks, failures };
}

/**
 * The deployment's scope (its ceiling) narrowed by stored scope rules: stored allow rules replace the
 * allowlist only where they lie inside it (they can narrow, never widen), stored deny rules add.
 */
export function narrowScope(
  ceiling: ScopeConfig,
  rules: readonly { action: 'allow' | 'deny'; cidr: string }[],
): ScanRequest['scope'] {
  const within = new Scope(ceiling);
  const allow = rules
    .filter((r) => r.action === 'allow')
    .map((r) => r.cidr)
    .filter((cidr) => {
      try {
        within.assertTargetsInScope([parseTarget(cidr)]);
        return true;
      } catch {
        return false;
      }
    });
  const deny = rules.filter((r) => r.action === 'deny').map((r) => r.cidr);
  return { allow: allow.length ? allow : [...ceiling.allow], deny: [...(ceiling.deny ?? []), ...deny] };
}

/** What a stored scan definition may narrow or replace in its inventory's scan. */
export interface DefinitionOverrides {
  tcpPorts: string | null;
  udpPorts: string | null;
  serviceGroups: readonly string[];
  checks: readonly string[];
}

/**
 * A scan definition's request: its inventory's scan (the same inventoryScanRequest as the embedded sweep)
 * with the definition's ports, groups and checks. Communities are validated with the default; the real
 * ones are fetched by the workers, by credential id.
 */
export function definitionScanRequest(
  definition: DefinitionOverrides,
  loaded: LoadedInventory,
  base: Parameters<typeof inventoryScanRequest>[1],
): ScanRequest {
  const request = inventoryScanRequest(loaded, base);
  const overridesPorts = definition.tcpPorts || definition.udpPorts || definition.serviceGroups.length > 0;
  return {
    ...request,
    ...(overridesPorts
      ? {
          ports: {
            ...request.ports,
            tcp: definition.tcpPorts ?? undefined,
            udp: definition.udpPorts ?? undefined,
            groups: definition.serviceGroups.length ? [...definition.serviceGroups] : undefined,
          },
        }
      : {}),
    ...(definition.checks.length ? { queries: [...definition.checks] } : {}),
    communities: undefined,
  };
}
