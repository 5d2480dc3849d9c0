import type { QueryJob, QueryJobResult } from '@fleetqry/contracts';
import { probeInOrder, renderPortqry, type QueryStep, type ResolvedTarget } from '@fleetqry/probe';
import { chunkPlan, toScanConfig, type ChunkLimits } from '@fleetqry/sweep/jobs';

/** A query's ports in PortQry's order: ascending, TCP before UDP for a port in both. */
export function querySteps(ports: QueryJob['config']['ports']): QueryStep[] {
  const expand = (ranges: readonly (readonly [number, number])[]) =>
    ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
  const tcp = new Set(expand(ports.tcp));
  const udp = new Set(expand(ports.udp));
  return [...new Set([...tcp, ...udp])]
    .sort((a, b) => a - b)
    .flatMap((port) => [
      ...(tcp.has(port) ? [{ proto: 'tcp' as const, port }] : []),
      ...(udp.has(port) ? [{ proto: 'udp' as const, port }] : []),
    ]);
}

/**
 * One PortQry query of one target: the job's config with this worker's caps (and the default community:
 * queries carry no credentials), the scope checked again on the address, the ports probed one at a time
 * as PortQry does, and PortQry's text rendered here, where the observations are.
 */
export class PortqryQueryUseCase {
  constructor(private readonly caps: ChunkLimits) {}

  async execute(job: QueryJob, signal: AbortSignal): Promise<QueryJobResult> {
    const started = performance.now();
    const config = toScanConfig(job.config, { communities: [], v3Users: [] }, this.caps);
    const { refused } = chunkPlan([job.target], config);
    if (refused.length > 0) throw new Error(refused[0]!.error);
    const target: ResolvedTarget = { ...job.target, given: job.given };
    const probed = await probeInOrder(target, config, querySteps(job.config.ports), signal);
    if (probed.refused) throw new Error(`refused: ${probed.refused}`);
    signal.throwIfAborted();
    return {
      text: renderPortqry({
        given: job.given,
        target,
        failure: undefined,
        isName: job.isName,
        probed,
        community: config.protocolOptions.snmp.communities[0],
        maskSecrets: false,
      }),
      observations: probed.observations,
      errors: probed.errors,
      durationMs: performance.now() - started,
    };
  }
}
