/** The walk against in-process fake endpoint mappers replaying samba's recorded answers (on 127.43.0.1). */
import type net from 'node:net';

import { closedPort, startHostileServer, type HostileServer } from '../../testing/hostile-servers.js';
import { DEFAULT_WALK, walkEndpointMapper, type WalkOptions } from './client.js';
import { pduFramer } from './pdu.js';
import { splitPdus, testdata } from './rpc-testdata.js';

const ADDR = '127.43.0.1';
const servers: HostileServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    expect(await s.allClosed(2000)).toBe(true); // the client always closes its socket
    await s.close();
  }
});

/** Sets a PDU's call id (the recorded answers carry samba's, which match ours, but fakes reuse them). */
function withCallId(pdu: Buffer, callId: number): Buffer {
  const b = Buffer.from(pdu);
  b.writeUInt32LE(callId, 12);
  return b;
}

/**
 * A fake endpoint mapper: answers each request PDU with `answer(request, index)` (nothing when it
 * returns undefined). Requests are framed with the client's own framer.
 */
async function fake(
  answer: (req: Buffer, i: number) => Buffer | Buffer[] | undefined,
): Promise<HostileServer> {
  const s = await startHostileServer('script', {
    address: ADDR,
    maxLifetimeMs: 5000,
    script(socket: net.Socket) {
      let buf = Buffer.alloc(0);
      let i = 0;
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        for (let f = pduFramer(buf); f.kind === 'complete'; f = pduFramer(buf)) {
          const req = buf.subarray(0, f.length);
          buf = buf.subarray(f.length);
          const out = answer(req, i++);
          if (out && !socket.destroyed) for (const b of [out].flat()) socket.write(b);
        }
      });
    },
  });
  servers.push(s);
  return s;
}

const callIdOf = (req: Buffer) => req.readUInt32LE(12);
const ACK = testdata('response-bind-ack-samba.bin');

function walk(s: { address: string; port: number }, extra: Partial<WalkOptions> = {}) {
  return walkEndpointMapper({ ...DEFAULT_WALK, address: s.address, port: s.port, timeoutMs: 2000, ...extra });
}

describe('walkEndpointMapper against replayed samba answers', () => {
  it('whole map in one call', async () => {
    const s = await fake((req, i) =>
      i === 0 ? ACK : withCallId(testdata('response-lookup-all-samba.bin'), callIdOf(req)),
    );
    const r = await walk(s);
    expect(r).toMatchObject({ status: 'success', answered: true, complete: true, calls: 1 });
    expect(r.endpoints).toHaveLength(38);
  });

  it('two calls: sends back the context handle of the first answer', async () => {
    const first = testdata('response-lookup-20-first-samba.bin');
    const handle = first.subarray(24, 44);
    let secondHandle: Buffer | undefined;
    const s = await fake((req, i) => {
      if (i === 0) return ACK;
      if (i === 1) return withCallId(first, callIdOf(req));
      secondHandle = Buffer.from(req.subarray(24 + 16, 24 + 36));
      return withCallId(testdata('response-lookup-20-last-samba.bin'), callIdOf(req));
    });
    const r = await walk(s, { entriesPerCall: 20 });
    expect(r).toMatchObject({ status: 'success', complete: true, calls: 2 });
    expect(r.endpoints).toHaveLength(38);
    expect(secondHandle).toEqual(handle);
  });

  it('a fragmented answer (FIRST, middle, LAST)', async () => {
    const frags = splitPdus(testdata('response-lookup-all-fragmented-samba.bin'));
    const s = await fake((req, i) => (i === 0 ? ACK : frags.map((f) => withCallId(f, callIdOf(req)))));
    const r = await walk(s);
    expect(r).toMatchObject({ status: 'success', complete: true });
    expect(r.endpoints).toHaveLength(38);
  });

  it('stops an endless walk at the entry cap and at the call cap', async () => {
    const one = testdata('response-lookup-one-samba.bin'); // one entry, non-null handle, status 0
    const s = await fake((req, i) => (i === 0 ? ACK : withCallId(one, callIdOf(req))));
    const byEntries = await walk(s, { entriesPerCall: 1, maxEntries: 10 });
    expect(byEntries).toMatchObject({ status: 'truncated', answered: true, complete: false, calls: 10 });
    expect(byEntries.endpoints).toHaveLength(10);
    const byCalls = await walk(s, { entriesPerCall: 1, maxCalls: 4 });
    expect(byCalls).toMatchObject({ status: 'truncated', complete: false, calls: 4 });
    expect(byCalls.detail).toMatch(/after 4 ept_lookup calls/);
  });

  it('a server that goes silent mid-walk: the endpoints so far, as truncated', async () => {
    const s = await fake((req, i) =>
      i === 0
        ? ACK
        : i === 1
          ? withCallId(testdata('response-lookup-20-first-samba.bin'), callIdOf(req))
          : undefined,
    );
    const r = await walk(s, { entriesPerCall: 20, timeoutMs: 400 });
    expect(r).toMatchObject({ status: 'truncated', answered: true, complete: false });
    expect(r.endpoints).toHaveLength(20);
  });

  it('endless fragments without PFC_LAST are cut off by the fragment cap', async () => {
    const [firstFrag, middle] = splitPdus(testdata('response-lookup-all-fragmented-samba.bin'));
    const s = await fake((req, i) =>
      i === 0
        ? ACK
        : [
            withCallId(firstFrag!, callIdOf(req)),
            ...Array.from({ length: 600 }, () => withCallId(middle!, callIdOf(req))),
          ],
    );
    const r = await walk(s);
    expect(r).toMatchObject({ status: 'protocol-error', answered: true });
    expect(r.detail).toMatch(/more than 512 response fragments|larger than/);
  });
});

describe('walkEndpointMapper: refusals and hostile peers', () => {
  it('bind_nak → rejected', async () => {
    const nak = Buffer.from('05000d031000000018000000010000000400000000000000', 'hex');
    nak.writeUInt16LE(nak.length, 8);
    const s = await fake(() => nak);
    expect(await walk(s)).toMatchObject({ status: 'rejected', answered: true });
  });

  it('a fault to ept_lookup → application-error with the status', async () => {
    const fault = Buffer.alloc(32);
    Buffer.from('0500030310000000', 'hex').copy(fault);
    fault.writeUInt16LE(32, 8);
    fault.writeUInt32LE(5, 24); // nca_s_fault_access_denied style code
    const s = await fake((req, i) => (i === 0 ? ACK : withCallId(fault, callIdOf(req))));
    expect(await walk(s)).toMatchObject({
      status: 'application-error',
      detail: expect.stringContaining('0x00000005'),
    });
  });

  it.each([
    'malformed-num-ents-huge.bin',
    'malformed-annotation-length.bin',
    'malformed-tower-length.bin',
    'malformed-floor-count.bin',
    'malformed-fragment-without-first.bin',
  ])('%s → protocol-error', async (name) => {
    const bytes = testdata(name);
    const s = await fake((req, i) =>
      i === 0 ? ACK : splitPdus(bytes).map((p) => withCallId(p, callIdOf(req))),
    );
    expect(await walk(s)).toMatchObject({ status: 'protocol-error', answered: true });
  });

  it('an answer for another call id → protocol-error', async () => {
    const s = await fake((_req, i) =>
      i === 0 ? ACK : withCallId(testdata('response-lookup-all-samba.bin'), 77),
    );
    expect(await walk(s)).toMatchObject({
      status: 'protocol-error',
      detail: expect.stringContaining('call 77'),
    });
  });

  it('fragments that never end before the deadline → io-timeout', async () => {
    const bytes = testdata('malformed-fragments-no-last.bin');
    const s = await fake((req, i) =>
      i === 0 ? ACK : splitPdus(bytes).map((p) => withCallId(p, callIdOf(req))),
    );
    expect(await walk(s, { timeoutMs: 300 })).toMatchObject({ status: 'io-timeout', answered: true });
  });

  it('non-RPC bytes → protocol-error; silence → io-timeout; hang-up → io-timeout; closed → refused', async () => {
    const garbage = await startHostileServer('garbage', { address: ADDR });
    const tarpit = await startHostileServer('tarpit', { address: ADDR });
    const hangup = await startHostileServer('close-immediately', { address: ADDR });
    servers.push(garbage, tarpit, hangup);
    expect(await walk(garbage)).toMatchObject({ status: 'protocol-error', answered: true });
    expect(await walk(tarpit, { timeoutMs: 300 })).toMatchObject({ status: 'io-timeout', answered: false });
    expect(await walk(hangup)).toMatchObject({ status: 'io-timeout', answered: false });
    expect(await walk({ address: ADDR, port: await closedPort(ADDR) })).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
});
