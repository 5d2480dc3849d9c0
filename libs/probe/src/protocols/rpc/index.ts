/**
 * RPC endpoint mapper (TCP 135), PortQry-style: bind to epmapper v3.0 (NDR), walk ept_lookup to the
 * end of the map, and list every endpoint (interface UUID, annotation, binding). Our own DCE/RPC
 * client (no npm library speaks it); the walk is bounded by entries, calls and the query deadline.
 */
import type { Observation, RpcData } from '@fleetqry/contracts';

import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { queryWindowMs } from '../query-window.js';
import { DEFAULT_WALK, walkEndpointMapper, type WalkResult } from './client.js';
import { endpointLines } from './epm.js';

export { DEFAULT_WALK, walkEndpointMapper, type WalkOptions, type WalkResult } from './client.js';
export {
  decodeLookupResponse,
  decodeTowerFloors,
  encodeLookupStub,
  endpointLines,
  EPT_S_NOT_REGISTERED,
  towerToEndpoint,
  type RpcEndpoint,
} from './epm.js';
export { decodeBindReply, decodeCallReply, encodeBind, encodeRequest, pduFramer } from './pdu.js';

type RpcResult = ProtocolResult & { answered: boolean };

const EVIDENCE_CHARS = 300;

export function toResult(w: WalkResult): RpcResult {
  const data: RpcData | undefined =
    w.endpoints.length > 0 || w.status === 'success'
      ? { endpoints: w.endpoints, total: w.endpoints.length, complete: w.complete }
      : undefined;
  const evidence = w.endpoints.length
    ? w.endpoints
        .map((e) => `${e.uuid} ${e.binding}`)
        .join('; ')
        .slice(0, EVIDENCE_CHARS)
    : undefined;
  return {
    status: w.status,
    answered: w.answered,
    detail:
      w.detail ?? `${w.endpoints.length} endpoints in ${w.calls} ept_lookup call${w.calls === 1 ? '' : 's'}`,
    ...(evidence ? { evidence } : {}),
    ...(data ? { data: { rpc: data } } : {}),
  };
}

async function query(ctx: ProtocolContext): Promise<RpcResult> {
  try {
    const timeoutMs = queryWindowMs(ctx.timeoutMs);
    return toResult(
      await walkEndpointMapper({
        ...DEFAULT_WALK,
        address: ctx.address,
        port: ctx.port,
        timeoutMs,
        signal: ctx.signal,
        ...(ctx.sourcePort !== undefined ? { localPort: ctx.sourcePort } : {}),
      }),
    );
  } catch {
    return { status: 'application-error', answered: false, detail: 'internal error in the RPC query' };
  }
}

/** PortQry's endpoint mapper listing. */
function describe(obs: Observation): string[] {
  const rpc = obs.rpc;
  if (!rpc) return obs.protocol?.detail ? [`RPC query: ${obs.protocol.detail}`] : [];
  const lines = ['Querying Endpoint Mapper Database...', "Server's response:", ''];
  for (const e of rpc.endpoints) lines.push(...endpointLines(e), '');
  lines.push(`Total endpoints found: ${rpc.total}`, '');
  if (!rpc.complete && obs.protocol?.detail) lines.push(`(incomplete: ${obs.protocol.detail})`, '');
  lines.push('==== End of RPC Endpoint Mapper query response ====');
  return lines;
}

export const rpcPlugin: ProtocolPlugin = {
  name: 'rpc',
  ports: { tcp: [135] },
  query,
  describe,
};
