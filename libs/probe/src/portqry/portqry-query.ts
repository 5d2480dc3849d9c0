import type { Observation, Proto } from '@fleetqry/contracts';

import { runScan } from '../engine/scan-pool.js';
import type { ScanConfig } from '../engine/scan-options.js';
import type { ResolvedTarget } from '../targets/resolve.js';
import { portBlock, preamble } from './portqry-report.js';

export interface QueryStep {
  proto: Proto;
  port: number;
}

export interface PortqryProbed {
  observations: Observation[];
  /** Local errors (a taken -sp port, no socket), one line each: `TCP port 80: …`. */
  errors: Array<QueryStep & { error: string }>;
  /** Why the host was not probed at all (scope), if it was not. */
  refused?: string;
}

/**
 * PortQry's way through a port list: one port at a time, in order, so that what is sent and what is printed
 * follow the user's list. The CLI's PortQry mode and the workers' one-shot queries share it.
 */
export async function probeInOrder(
  target: ResolvedTarget,
  config: ScanConfig,
  steps: readonly QueryStep[],
  signal?: AbortSignal,
): Promise<PortqryProbed> {
  const probed: PortqryProbed = { observations: [], errors: [] };
  for (const { proto, port } of steps) {
    if (signal?.aborted) break;
    const ports = {
      tcp: proto === 'tcp' ? [[port, port] as const] : [],
      udp: proto === 'udp' ? [[port, port] as const] : [],
    };
    for await (const batch of runScan([target], { ...config, ports }, { workers: 1, signal })) {
      for (const e of batch) {
        if (e.type === 'observation') probed.observations.push(e.observation);
        else if (e.type === 'host-refused') return { ...probed, refused: e.reason };
        else if (e.type === 'probe-error')
          probed.errors.push({ proto: e.proto, port: e.port, error: e.error });
      }
    }
  }
  return probed;
}

export function errorLine(e: PortqryProbed['errors'][number]): string {
  return `${e.proto.toUpperCase()} port ${e.port}: ${e.error}`;
}

/** PortQry's whole output for one target: the preamble, each port's block, then local errors. */
export function renderPortqry(run: {
  given: string;
  target: ResolvedTarget | undefined;
  failure: string | undefined;
  isName: boolean;
  probed: PortqryProbed;
  community: string | undefined;
  maskSecrets: boolean;
}): string {
  const lines = preamble(run.given, run.target, run.failure, run.isName);
  for (const obs of run.probed.observations)
    lines.push(...portBlock(obs, { community: run.community, maskSecrets: run.maskSecrets }), '');
  for (const e of run.probed.errors) lines.push(errorLine(e), '');
  return `${lines.join('\n')}\n`;
}
