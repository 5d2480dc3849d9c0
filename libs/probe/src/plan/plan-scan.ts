import { type PlanFailure, PortSet } from '@fleetqry/contracts';

import {
  DEFAULT_PROTOCOL_OPTIONS,
  ProtocolOptionsError,
  resolveProtocolOptions,
  type ProtocolOptions,
  type ProtocolOptionsInput,
} from '../protocols/options.js';
import { validateCommunities } from '../protocols/snmp/community.js';
import { PluginRegistry } from '../protocols/registry.js';
import { GroupCatalog } from '../ports/groups.js';
import { parsePortSpec } from '../ports/parse.js';
import {
  probeCount,
  resolveScanPorts,
  type PortSelection,
  type ScanPortsResult,
} from '../ports/scan-ports.js';
import { Scope, type ScopeConfig } from '../scope/scope.js';
import { assertMaxHosts } from '../targets/expand.js';
import { resolveTargets, type ResolvedTarget, type TargetOutcome } from '../targets/resolve.js';
import { createTargetResolver } from '../targets/resolver.js';
import { hostCount as specHosts, parseTarget, type TargetSpec } from '../targets/spec.js';
import { readTargetFile } from '../targets/target-file.js';
import { DEFAULT_TCP_ATTEMPTS, MAX_TCP_ATTEMPTS } from '../engine/loss-monitor.js';
import { DEFAULT_TIMING, type TimingOptions } from '../engine/rtt-estimator.js';
import type { ProbeTarget } from '../engine/port-probe.js';
import type { ScanConfig } from '../engine/scan-options.js';
import { DEFAULT_UDP_QUIET_MIN_MS } from '../engine/scan-options.js';
import { DEFAULT_LIMITS, type ScanLimits } from '../engine/scanner.js';

/** A target with per-target settings (an inventory host). */
export interface TargetRequest {
  target: string;
  /** Ports never probed on this target, same syntax as port specs. */
  excludePorts?: string;
}

/** A user's scan request, as the CLI flags, an inventory or the API express it. */
export interface ScanRequest {
  targets: readonly (string | TargetRequest)[];
  targetFiles?: readonly string[];
  ports: PortSelection;
  groups?: GroupCatalog;
  scope: ScopeConfig;
  maxHosts: number;
  noReverse?: boolean;
  dnsServers?: readonly string[];
  /** SNMP communities to try (the request's word for `protocolOptions.snmp.communities`). */
  communities?: readonly string[];
  queries?: readonly string[] | 'all';
  limits?: Partial<ScanLimits>;
  timing?: Partial<TimingOptions>;
  slowLink?: boolean;
  sourcePort?: number;
  udpMode?: ScanConfig['udpMode'];
  /** Attempts before a silent TCP port is FILTERED (default 3, PortQry's), raised up to tcpMaxAttempts on loss. */
  tcpAttempts?: number;
  /** Ceiling of the adaptive TCP attempts (default MAX_TCP_ATTEMPTS, never below tcpAttempts). */
  tcpMaxAttempts?: number;
  udpAttempts?: number;
  tcpQueryTimeoutMs?: number;
  udpQueryTimeoutMs?: number;
  /** See ScanConfig.udpQuietMinMs. */
  udpQuietMinMs?: number;
  /** Options of the protocol queries, by plugin namespace; validated here, over the defaults. */
  protocolOptions?: ProtocolOptionsInput;
}

/** Bad input in a request: the message names the field or token; nothing has been probed. */
export class ScanRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScanRequestError';
  }
}

export interface ScanPlan {
  config: ScanConfig;
  ports: ScanPortsResult;
  /** Upper bound of hosts (overlaps counted twice). */
  hostCount: number;
  probesPerHost: number;
  /** Probes of every host, less each target's own exclusions: what a complete run does. */
  totalProbes: number;
  /** `totalProbes` less those of the names in `unresolved`: what a run can do. */
  resolvedProbes: number;
  /** Targets in request order; hostnames were resolved and scope-checked at plan time. */
  targets: () => AsyncGenerator<TargetOutcome, void>;
  /**
   * The names that did not resolve at plan time (each one of `hostCount`), in request order: `targets()`
   * yields them as failures. Literals always resolve, so `unresolved.length === hostCount` means nothing
   * can be probed.
   */
  unresolved: readonly PlanFailure[];
}

/**
 * A target's own port exclusions, for both protocols (a name like `snmp` excludes it where it exists);
 * a bad spec is a ScanRequestError naming the target.
 */
export function targetExclusion(target: string, spec: string): NonNullable<ProbeTarget['exclude']> {
  try {
    const parsed = parsePortSpec(spec);
    return { tcp: parsed.forProto('tcp', true).ranges(), udp: parsed.forProto('udp', true).ranges() };
  } catch (e) {
    throw new ScanRequestError(
      `targets[${target}].excludePorts: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** Probes of one host: the plan's ports less the host's own exclusions. */
export function targetProbes(
  ports: Pick<ScanPortsResult, 'tcp' | 'udp'>,
  exclude?: ProbeTarget['exclude'],
): number {
  if (!exclude) return probeCount(ports);
  return (
    ports.tcp.subtract(PortSet.fromRanges(exclude.tcp)).size +
    ports.udp.subtract(PortSet.fromRanges(exclude.udp)).size
  );
}

async function readTargets(file: string): Promise<TargetSpec[]> {
  try {
    return await readTargetFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new ScanRequestError(`targets file ${file}: cannot read it (${code})`);
    throw e;
  }
}

/** The request's protocol options, validated over the defaults, with its communities in the SNMP namespace. */
function planProtocolOptions(req: ScanRequest): ProtocolOptions {
  const communities = req.communities ?? req.protocolOptions?.snmp?.communities;
  const problem = validateCommunities(communities ?? DEFAULT_PROTOCOL_OPTIONS.snmp.communities);
  if (problem) throw new ScanRequestError(`communities: ${problem}`);
  const input = req.protocolOptions ?? {};
  try {
    return resolveProtocolOptions({
      ...input,
      snmp: { ...input.snmp, ...(communities ? { communities: [...communities] } : {}) },
    });
  } catch (e) {
    if (e instanceof ProtocolOptionsError) throw new ScanRequestError(e.message);
    throw e;
  }
}

/**
 * The plan stage: parse and bound the targets, refuse anything out of scope (literals by range math,
 * hostnames after resolving them), expand ports and groups, validate credentials, and produce the
 * serialisable scan configuration. Throws before anything is probed.
 */
export async function planScan(req: ScanRequest): Promise<ScanPlan> {
  const specs: TargetSpec[] = [];
  const exclusions = new Map<TargetSpec, NonNullable<ProbeTarget['exclude']>>();
  for (const entry of req.targets) {
    const spec = parseTarget(typeof entry === 'string' ? entry : entry.target);
    specs.push(spec);
    if (typeof entry !== 'string' && entry.excludePorts)
      exclusions.set(spec, targetExclusion(spec.given, entry.excludePorts));
  }
  for (const file of req.targetFiles ?? []) specs.push(...(await readTargets(file)));
  if (specs.length === 0) throw new ScanRequestError('targets: no target given');
  const hostCount = Number(assertMaxHosts(specs, req.maxHosts));

  const scope = new Scope(req.scope);
  scope.assertTargetsInScope(specs);

  const ports = resolveScanPorts(req.ports, req.groups ?? GroupCatalog.builtin());
  const protocolOptions = planProtocolOptions(req);
  const queries = req.queries ?? 'all';
  new PluginRegistry(queries); // validates the names now, not in a worker thread

  const resolver = createTargetResolver({ dnsServers: req.dnsServers });
  const resolveOptions = { resolver, noReverse: req.noReverse };
  // Hostnames are few and decide scope: resolve them now, so an out-of-scope name stops the run
  // before any probe. Literals were checked above; their reverse lookups happen while streaming.
  const named = specs.filter((s) => s.kind === 'hostname');
  const resolvedNames = new Map<TargetSpec, TargetOutcome>();
  for await (const outcome of resolveTargets(named, resolveOptions)) {
    const spec = named[resolvedNames.size]!;
    if (outcome.ok) {
      const violation = scope.checkResolved(outcome.target);
      if (violation) throw violation;
    }
    resolvedNames.set(spec, outcome);
  }

  async function* targets(): AsyncGenerator<TargetOutcome, void> {
    for (const spec of specs) {
      const exclude = exclusions.get(spec);
      const outcomes =
        spec.kind === 'hostname' ? [resolvedNames.get(spec)!] : resolveTargets([spec], resolveOptions);
      for await (const o of outcomes)
        yield exclude && o.ok ? { ok: true, target: { ...o.target, exclude } } : o;
    }
  }

  const timing = { ...DEFAULT_TIMING, ...req.timing };
  const config: ScanConfig = {
    ports: { tcp: ports.tcp.ranges(), udp: ports.udp.ranges() },
    limits: { ...DEFAULT_LIMITS, ...req.limits },
    timing,
    tcpAttempts: req.tcpAttempts ?? DEFAULT_TCP_ATTEMPTS,
    tcpMaxAttempts: Math.max(req.tcpAttempts ?? DEFAULT_TCP_ATTEMPTS, req.tcpMaxAttempts ?? MAX_TCP_ATTEMPTS),
    udpAttempts: req.udpAttempts ?? 3,
    ...(req.sourcePort !== undefined ? { sourcePort: req.sourcePort } : {}),
    scope: req.scope,
    queries,
    protocolOptions,
    tcpQueryTimeoutMs: req.tcpQueryTimeoutMs ?? 5000,
    udpQueryTimeoutMs: req.udpQueryTimeoutMs ?? 1000,
    udpQuietMinMs: req.udpQuietMinMs ?? DEFAULT_UDP_QUIET_MIN_MS,
    udpMode: req.udpMode ?? 'fast',
    waitFactor: req.slowLink ? 2 : 1,
  };
  const probesOf = (spec: TargetSpec) => Number(specHosts(spec)) * targetProbes(ports, exclusions.get(spec));
  const totalProbes = specs.reduce((n, spec) => n + probesOf(spec), 0);
  const failed = [...resolvedNames].filter(([, o]) => !o.ok);
  const unresolved = failed.flatMap(([, o]) => (o.ok ? [] : [{ given: o.given, error: o.error.message }]));
  const resolvedProbes = totalProbes - failed.reduce((n, [spec]) => n + probesOf(spec), 0);
  return {
    config,
    ports,
    hostCount,
    probesPerHost: probeCount(ports),
    totalProbes,
    resolvedProbes,
    targets,
    unresolved,
  };
}

/** Only the resolved targets of a plan, for the probe stage; failures go to `onFailure`. */
export async function* probeTargets(
  outcomes: AsyncIterable<TargetOutcome>,
  onFailure: (failure: Extract<TargetOutcome, { ok: false }>) => void,
): AsyncGenerator<ResolvedTarget> {
  for await (const o of outcomes) {
    if (o.ok) yield o.target;
    else onFailure(o);
  }
}
