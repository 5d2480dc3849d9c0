import { readFileSync } from 'node:fs';

import { GroupCatalog, type PortSelection, type ScanRequest } from '@fleetqry/probe';

import type { CliConfig } from '../config.js';
import { UsageError } from '../usage-error.js';

/** Flags common to PortQry mode and fleet mode, after parsing. */
export interface CommonFlags {
  targets: string[];
  targetFiles?: string[];
  ports: PortSelection;
  /** YAML of custom service groups (`groups: {name: {tcp, udp}}`), over the config's serviceGroupsFile. */
  groupsFile?: string;
  communities?: string[];
  noReverse?: boolean;
  dnsServers?: string[];
  maxHosts?: number;
  slowLink?: boolean;
  sourcePort?: number;
  udpMode?: ScanRequest['udpMode'];
  queries?: ScanRequest['queries'];
  concurrency?: number;
  perHost?: number;
  rate?: number;
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
  retries?: number;
  queryTimeoutMs?: number;
}

/** Custom service groups: `--groups-file` on the command line, else the config's serviceGroupsFile. */
function loadGroups(flags: CommonFlags, config: CliConfig): GroupCatalog | undefined {
  const [file, field] = flags.groupsFile
    ? [flags.groupsFile, '--groups-file']
    : [config.serviceGroupsFile, 'serviceGroupsFile'];
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${field} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code})`);
  }
  return GroupCatalog.fromYaml(text, `${field} ${file}`);
}

/** Site config first, flags over it. */
export function buildScanRequest(flags: CommonFlags, config: CliConfig): ScanRequest {
  const limits = {
    ...config.limits,
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.perHost !== undefined ? { perHost: flags.perHost } : {}),
    ...(flags.rate !== undefined ? { ratePerSecond: flags.rate } : {}),
  };
  const timing = {
    ...(flags.minTimeoutMs !== undefined ? { minTimeoutMs: flags.minTimeoutMs } : {}),
    ...(flags.maxTimeoutMs !== undefined ? { maxTimeoutMs: flags.maxTimeoutMs } : {}),
  };
  const attempts = flags.retries !== undefined ? flags.retries + 1 : undefined;
  return {
    targets: flags.targets,
    targetFiles: flags.targetFiles,
    ports: { ...flags.ports, defaultExcludedPorts: config.excludePorts || undefined },
    groups: loadGroups(flags, config),
    scope: config.scope,
    maxHosts: flags.maxHosts ?? config.maxHosts,
    noReverse: flags.noReverse,
    dnsServers: flags.dnsServers?.length ? flags.dnsServers : config.dnsServers,
    communities: flags.communities,
    queries: flags.queries,
    limits,
    timing,
    slowLink: flags.slowLink,
    sourcePort: flags.sourcePort,
    udpMode: flags.udpMode,
    // Retries asked for are exact: no adapting to loss on top.
    ...(attempts !== undefined
      ? { tcpAttempts: attempts, tcpMaxAttempts: attempts, udpAttempts: attempts }
      : {}),
    ...(flags.queryTimeoutMs !== undefined
      ? { tcpQueryTimeoutMs: flags.queryTimeoutMs, udpQueryTimeoutMs: flags.queryTimeoutMs }
      : {}),
  };
}
