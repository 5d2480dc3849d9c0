/**
 * The endpoint-mapper walk over one TCP connection: bind to epmapper v3.0 over NDR, then ept_lookup
 * with the returned context handle until the server says ept_s_not_registered (or returns a null
 * handle), within bounds on entries, calls and time. Uses the banner protocols' TcpConversation for
 * the deadline, the byte cap and the abort signal. Never throws.
 */
import type { ProbeStatus } from '@fleetqry/contracts';

import { TcpConversation } from '../common/tcp-conversation.js';
import {
  decodeLookupResponse,
  encodeLookupStub,
  EPT_LOOKUP_OPNUM,
  EPT_S_NOT_REGISTERED,
  type EntryHandle,
  isNullHandle,
  NULL_HANDLE,
  type RpcEndpoint,
} from './epm.js';
import {
  decodeBindReply,
  decodeCallReply,
  encodeBind,
  encodeRequest,
  EPM_INTERFACE,
  FragmentAssembler,
  NDR_SYNTAX,
  pduFramer,
} from './pdu.js';

export interface WalkOptions {
  address: string;
  port: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** PortQry -sp: the local port of the connection. */
  localPort?: number;
  /** Entries asked for per ept_lookup call (server may return fewer). */
  entriesPerCall: number;
  /** Stop after this many endpoints (the walk is then incomplete). */
  maxEntries: number;
  /** Stop after this many ept_lookup calls. */
  maxCalls: number;
  /** Largest fragment we accept (sent as max_recv_frag). */
  maxRecvFrag: number;
}

export const DEFAULT_WALK: Omit<WalkOptions, 'address' | 'port' | 'timeoutMs' | 'signal'> = {
  entriesPerCall: 50,
  maxEntries: 1024,
  maxCalls: 256,
  maxRecvFrag: 5840,
};

export interface WalkResult {
  status: ProbeStatus;
  answered: boolean;
  detail?: string;
  endpoints: RpcEndpoint[];
  /** The walk reached the server's end of the map. */
  complete: boolean;
  calls: number;
}

/** Joined stub of a response may span many fragments; cap it well above what maxEnts entries need. */
const MAX_STUB_BYTES = 1 << 20;
const MAX_FRAGMENTS = 512;

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

export async function walkEndpointMapper(o: WalkOptions): Promise<WalkResult> {
  const endpoints: RpcEndpoint[] = [];
  let calls = 0;
  const result = (status: ProbeStatus, answered: boolean, detail?: string, complete = false): WalkResult => ({
    status,
    answered,
    endpoints,
    complete,
    calls,
    ...(detail ? { detail } : {}),
  });

  const opened = await TcpConversation.open({
    address: o.address,
    port: o.port,
    timeoutMs: o.timeoutMs,
    maxBytes: 0x10000,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.localPort !== undefined ? { localPort: o.localPort } : {}),
  });
  if (!opened.ok) return result(opened.status, opened.answered ?? false, opened.detail);
  const conv = opened.conversation;
  // Once the server has sent anything, a failure is the server's answer, not silence.
  const failed = (status: ProbeStatus, detail: string): WalkResult => {
    // A walk cut short after entries arrived still reports them, as truncated.
    if (endpoints.length > 0 && (status === 'io-timeout' || status === 'truncated'))
      return result('truncated', true, `${detail}; walk stopped after ${endpoints.length} endpoints`);
    return result(status, conv.answered, detail);
  };
  try {
    let callId = 1;
    conv.write(
      encodeBind({
        callId,
        maxXmitFrag: o.maxRecvFrag,
        maxRecvFrag: o.maxRecvFrag,
        abstract: EPM_INTERFACE,
        transfer: NDR_SYNTAX,
      }),
    );
    const bindPdu = await conv.read(pduFramer);
    if (!bindPdu.ok) return failed(bindPdu.status, bindPdu.detail);
    const bind = decodeBindReply(bindPdu.frame);
    if (!bind.ok) return failed('protocol-error', bind.error);
    if (bind.value.kind === 'nak')
      return result(
        'rejected',
        true,
        `bind to the endpoint mapper refused (bind_nak reason ${bind.value.reason})`,
      );
    if (bind.value.kind === 'fault')
      return result('application-error', true, `bind answered with fault ${hex(bind.value.status)}`);
    const accepted = bind.value.ack.results[0];
    if (!accepted || accepted.result !== 0)
      return result(
        'rejected',
        true,
        `endpoint mapper interface not accepted (result ${accepted?.result ?? 'none'}, reason ${accepted?.reason ?? '-'})`,
      );

    let handle: EntryHandle = NULL_HANDLE;
    for (;;) {
      if (calls >= o.maxCalls)
        return result(
          'truncated',
          true,
          `stopped after ${calls} ept_lookup calls (${endpoints.length} endpoints)`,
        );
      if (endpoints.length >= o.maxEntries)
        return result('truncated', true, `stopped at the cap of ${o.maxEntries} endpoints`);
      calls++;
      callId++;
      const maxEnts = Math.max(1, Math.min(o.entriesPerCall, o.maxEntries - endpoints.length));
      conv.write(encodeRequest(callId, EPT_LOOKUP_OPNUM, encodeLookupStub(handle, maxEnts)));
      const assembler = new FragmentAssembler(callId, MAX_STUB_BYTES, MAX_FRAGMENTS);
      while (!assembler.done) {
        const pdu = await conv.read(pduFramer);
        if (!pdu.ok) return failed(pdu.status, pdu.detail);
        const reply = decodeCallReply(pdu.frame);
        if (!reply.ok) return failed('protocol-error', reply.error);
        if (reply.value.kind === 'fault') {
          return result(
            'application-error',
            true,
            `ept_lookup answered with fault ${hex(reply.value.status)} after ${endpoints.length} endpoints`,
          );
        }
        const problem = assembler.add(reply.value);
        if (problem) return failed('protocol-error', problem);
      }
      const { bytes, littleEndian } = assembler.stub;
      const lookup = decodeLookupResponse(bytes, littleEndian, maxEnts);
      if (!lookup.ok) return failed('protocol-error', lookup.error);
      const { entries, status } = lookup.value;
      endpoints.push(...entries.slice(0, o.maxEntries - endpoints.length));
      if (status === EPT_S_NOT_REGISTERED) return result('success', true, undefined, true);
      if (status !== 0)
        return result(
          'application-error',
          true,
          `ept_lookup status ${hex(status)} after ${endpoints.length} endpoints`,
        );
      // Samba ends a walk with status 0 and a null handle; an empty batch would otherwise repeat forever.
      if (isNullHandle(lookup.value.handle) || entries.length === 0)
        return result('success', true, undefined, true);
      handle = lookup.value.handle;
    }
  } finally {
    conv.close();
  }
}
