import type { ScanPortsResult } from '@fleetqry/probe';

/**
 * Requested ports that exclusions removed (--exclude-ports, an inventory's ports.exclude, the config's
 * excludePorts), said once on stderr before probing: a skipped port is never silent.
 */
export function noteExcludedPorts(ports: Pick<ScanPortsResult, 'excluded'>): void {
  const parts = (['tcp', 'udp'] as const)
    .filter((p) => !ports.excluded[p].isEmpty)
    .map((p) => `${p.toUpperCase()} ${ports.excluded[p].toString()}`);
  if (parts.length)
    process.stderr.write(`fleetqry: not probed, excluded by configuration or options: ${parts.join('; ')}\n`);
}
