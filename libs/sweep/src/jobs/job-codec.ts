import { type ChunkTarget, type JobScanConfig, PortSet } from '@fleetqry/contracts';
import {
  DEFAULT_PROTOCOL_OPTIONS,
  DEFAULT_TIMING,
  DEFAULT_UDP_QUIET_MIN_MS,
  probeCount,
  scopesCheck,
  targetProbes,
  type ScanConfig,
  type ScanPlan,
  type ScopeConfig,
  type SnmpOptions,
  type TargetFailure,
} from '@fleetqry/probe';

/**
 * The probe-chunk job's scan config, both ways: the controller encodes a plan's ScanConfig (communities out,
 * credential ids in), a worker decodes it with its own caps. Kept together so the two sides cannot drift;
 * this module (`@fleetqry/sweep/jobs`) imports only contracts and the probe lib, so workers load no store.
 */
export function toJobConfig(config: ScanConfig, credentialIds: readonly string[]): JobScanConfig {
  const { communities: _secrets, v3Users: _users, ...snmp } = config.protocolOptions.snmp;
  return {
    ...config,
    ports: { tcp: config.ports.tcp.map((r) => [r[0], r[1]]), udp: config.ports.udp.map((r) => [r[0], r[1]]) },
    scope: { allow: [...config.scope.allow], deny: [...(config.scope.deny ?? [])] },
    queries: config.queries === 'all' ? 'all' : [...config.queries],
    protocolOptions: { ...config.protocolOptions, snmp },
    communityCredentialIds: [...credentialIds],
  } as unknown as JobScanConfig;
}

/** A worker's own caps on what a job may ask. */
export interface ChunkLimits {
  probeConcurrency: number;
  rate: number;
  probeDeadlineMs: number;
  /** The worker's own scope (FLEETQRY_SCOPE_ALLOW/_DENY): enforced as well as the job's. */
  scope: ScopeConfig;
}

/**
 * The job's config as libs/probe's ScanConfig: the fetched communities and v3 users put back in the SNMP
 * namespace (the default community `public` when the scan names none, as in the embedded sweep), and this
 * worker's caps applied: its own scope, its concurrency and rate, and a ceiling on every probe's wait and
 * protocol query, so no probe outlives the deadline.
 */
export function toScanConfig(
  job: JobScanConfig,
  secrets: Pick<SnmpOptions, 'communities' | 'v3Users'>,
  caps: ChunkLimits,
): ScanConfig {
  const { communities, v3Users } = secrets;
  const { communityCredentialIds: _ids, ...rest } = job;
  const base = rest as unknown as ScanConfig;
  const limits = {
    ...base.limits,
    concurrency: Math.min(base.limits.concurrency, caps.probeConcurrency),
    perHost: Math.min(base.limits.perHost, caps.probeConcurrency),
    ratePerSecond:
      caps.rate > 0 && (base.limits.ratePerSecond === 0 || base.limits.ratePerSecond > caps.rate)
        ? caps.rate
        : base.limits.ratePerSecond,
  };
  const deadline = caps.probeDeadlineMs;
  return {
    ...base,
    localScope: caps.scope,
    limits,
    timing: {
      ...DEFAULT_TIMING, // a job queued by an older controller may lack newer fields
      ...base.timing,
      udpRecheckBudgetMs: Math.min(
        base.timing.udpRecheckBudgetMs ?? DEFAULT_TIMING.udpRecheckBudgetMs,
        deadline,
      ),
      maxTimeoutMs: Math.min(base.timing.maxTimeoutMs, deadline),
      initialTimeoutMs: Math.min(base.timing.initialTimeoutMs, deadline),
      minTimeoutMs: Math.min(base.timing.minTimeoutMs, deadline),
    },
    tcpQueryTimeoutMs: Math.min(base.tcpQueryTimeoutMs, deadline),
    udpQueryTimeoutMs: Math.min(base.udpQueryTimeoutMs, deadline),
    udpQuietMinMs: Math.min(base.udpQuietMinMs ?? DEFAULT_UDP_QUIET_MIN_MS, deadline),
    protocolOptions: {
      ...DEFAULT_PROTOCOL_OPTIONS, // a job queued by an older controller may lack a namespace
      ...base.protocolOptions,
      snmp: {
        ...DEFAULT_PROTOCOL_OPTIONS.snmp,
        ...base.protocolOptions.snmp,
        communities: communities.length ? [...communities] : DEFAULT_PROTOCOL_OPTIONS.snmp.communities,
        v3Users: [...v3Users],
      },
    },
  };
}

/**
 * The chunk as a ScanPlan for the probe stage (the same stage the embedded sweep runs). Targets were
 * resolved and scope-checked by the controller; the job's scope and the worker's own are checked again here
 * on the addresses, and the scanner checks both once more right before each host.
 */
export function chunkPlan(
  targets: readonly ChunkTarget[],
  config: ScanConfig,
): { plan: ScanPlan; refused: TargetFailure[] } {
  const refusal = scopesCheck([config.scope, ...(config.localScope ? [config.localScope] : [])]);
  const refused: TargetFailure[] = [];
  const allowed = targets.filter((t) => {
    const reason = refusal(t.address);
    if (reason)
      refused.push({ given: t.host, host: t.host, address: t.address, error: `refused: ${reason}` });
    return reason === undefined;
  });
  const tcp = PortSet.fromRanges(config.ports.tcp);
  const udp = PortSet.fromRanges(config.ports.udp);
  const ports = { tcp, udp, excluded: { tcp: PortSet.fromRanges([]), udp: PortSet.fromRanges([]) } };
  const totalProbes = allowed.reduce((n, t) => n + targetProbes(ports, t.exclude), 0);
  const plan: ScanPlan = {
    config,
    ports,
    hostCount: allowed.length,
    probesPerHost: probeCount(ports),
    totalProbes,
    resolvedProbes: totalProbes,
    // eslint-disable-next-line @typescript-eslint/require-await -- a plan's targets are a stream; these are in memory
    async *targets() {
      for (const t of allowed) yield { ok: true, target: { ...t, given: t.host } };
    },
    unresolved: [], // the controller resolved every chunk target
  };
  return { plan, refused };
}
