import { ObservationSchema, type Observation } from '@fleetqry/contracts';

import { decodeLookupResponse } from './epm.js';
import { rpcPlugin, toResult } from './index.js';
import { decodeCallReply, type ResponseFragment } from './pdu.js';
import { testdata } from './rpc-testdata.js';

const stub = (decodeCallReply(testdata('response-lookup-all-samba.bin')) as { value: ResponseFragment }).value
  .stub;
const decoded = decodeLookupResponse(stub, true, 500);
const endpoints = decoded.ok ? decoded.value.entries : [];

function observation(result: ReturnType<typeof toResult>): Observation {
  return ObservationSchema.parse({
    host: 'h10',
    address: '127.30.0.10',
    proto: 'tcp',
    port: 135,
    state: 'LISTENING',
    reason: 'syn-ack',
    observedAt: '2026-11-26T00:00:00.000Z',
    protocol: {
      name: 'rpc',
      status: result.status,
      durationMs: 3,
      ...(result.detail ? { detail: result.detail } : {}),
    },
    ...result.data,
  });
}

describe('rpc plugin result and PortQry lines', () => {
  it('a complete walk: every endpoint, the total and the end marker', () => {
    const r = toResult({ status: 'success', answered: true, endpoints, complete: true, calls: 1 });
    expect(r.data?.rpc).toMatchObject({ total: 38, complete: true });
    expect(r.evidence!.length).toBeLessThanOrEqual(300);
    const lines = rpcPlugin.describe(observation(r));
    expect(lines.slice(0, 6)).toEqual([
      'Querying Endpoint Mapper Database...',
      "Server's response:",
      '',
      'UUID: 82273fdc-e32a-18c3-3f78-827929dc23ea eventlog',
      String.raw`ncacn_np:[\\pipe\\eventlog]`,
      '',
    ]);
    expect(lines).toContain('ncacn_ip_tcp:127.30.0.10[49152]');
    expect(lines.slice(-3)).toEqual([
      'Total endpoints found: 38',
      '',
      '==== End of RPC Endpoint Mapper query response ====',
    ]);
  });

  it('an incomplete walk says so; a failed one prints the reason', () => {
    const cut = toResult({
      status: 'truncated',
      answered: true,
      detail: 'stopped at the cap of 10 endpoints',
      endpoints: endpoints.slice(0, 10),
      complete: false,
      calls: 10,
    });
    expect(rpcPlugin.describe(observation(cut))).toContain(
      '(incomplete: stopped at the cap of 10 endpoints)',
    );
    const nak = toResult({
      status: 'rejected',
      answered: true,
      detail: 'bind refused',
      endpoints: [],
      complete: false,
      calls: 0,
    });
    expect(nak.data).toBeUndefined();
    expect(rpcPlugin.describe(observation(nak))).toEqual(['RPC query: bind refused']);
  });

  it('an empty map is a success with zero endpoints', () => {
    const r = toResult({ status: 'success', answered: true, endpoints: [], complete: true, calls: 1 });
    expect(r.data?.rpc).toEqual({ endpoints: [], total: 0, complete: true });
    expect(rpcPlugin.describe(observation(r))).toContain('Total endpoints found: 0');
  });
});
