import { splitPdus, testdata } from './rpc-testdata.js';
import {
  decodeBindReply,
  decodeCallReply,
  decodeHeader,
  encodeBind,
  encodeRequest,
  EPM_INTERFACE,
  FragmentAssembler,
  NDR_SYNTAX,
  pduFramer,
  type ResponseFragment,
} from './pdu.js';
import { encodeLookupStub, NULL_HANDLE } from './epm.js';

describe('encoders', () => {
  it('builds the bind samba accepted (recorded request)', () => {
    const bind = encodeBind({
      callId: 1,
      maxXmitFrag: 5840,
      maxRecvFrag: 5840,
      abstract: EPM_INTERFACE,
      transfer: NDR_SYNTAX,
    });
    expect(bind).toEqual(testdata('request-bind.bin'));
    expect(bind.readUInt16LE(8)).toBe(bind.length);
  });

  it('builds the ept_lookup request (opnum 2, every element, NULL object and interface)', () => {
    const req = encodeRequest(2, 2, encodeLookupStub(NULL_HANDLE, 500));
    expect(req).toEqual(testdata('request-lookup-all.bin'));
    expect(req.readUInt16LE(22)).toBe(2); // opnum
  });
});

describe('pduFramer', () => {
  it('frames on the fragment length and rejects non-RPC bytes at the first byte', () => {
    const ack = testdata('response-bind-ack-samba.bin');
    expect(pduFramer(ack.subarray(0, 9))).toEqual({ kind: 'more' });
    expect(pduFramer(ack.subarray(0, 59))).toEqual({ kind: 'more' });
    expect(pduFramer(Buffer.concat([ack, ack]))).toEqual({ kind: 'complete', length: 60 });
    expect(pduFramer(Buffer.from('H'))).toMatchObject({ kind: 'invalid' });
    expect(pduFramer(Buffer.from([5, 1]))).toMatchObject({ kind: 'invalid' });
    expect(pduFramer(testdata('malformed-frag-length-short.bin'))).toMatchObject({ kind: 'invalid' });
  });
});

describe('decodeBindReply', () => {
  it("reads samba's bind_ack: accepted, secondary address 135", () => {
    const r = decodeBindReply(testdata('response-bind-ack-samba.bin'));
    expect(r).toEqual({
      ok: true,
      value: {
        kind: 'ack',
        ack: {
          maxXmitFrag: 5840,
          maxRecvFrag: 5840,
          secondaryAddress: '135',
          results: [{ result: 0, reason: 0 }],
        },
      },
    });
  });

  it('reads a bind_nak and a fault', () => {
    const nak = Buffer.from('05000d03100000001800000001000000040000000000000000', 'hex').subarray(0, 24);
    nak.writeUInt16LE(24, 8);
    expect(decodeBindReply(nak)).toEqual({ ok: true, value: { kind: 'nak', reason: 4 } });
    const fault = Buffer.alloc(28);
    Buffer.from('05000303100000001c0000000100000000000000000000000500000', 'hex').copy(fault);
    fault.writeUInt32LE(0x1c010003, 24);
    expect(decodeBindReply(fault)).toEqual({ ok: true, value: { kind: 'fault', status: 0x1c010003 } });
  });

  it('refuses truncated and foreign replies without throwing', () => {
    const ack = testdata('response-bind-ack-samba.bin');
    for (let n = 0; n < ack.length; n++) expect(decodeBindReply(ack.subarray(0, n)).ok).toBe(false);
    // A sec_addr length that runs past the PDU.
    const bad = Buffer.from(ack);
    bad.writeUInt16LE(0xffff, 24);
    expect(decodeBindReply(bad)).toMatchObject({ ok: false });
    expect(decodeBindReply(testdata('malformed-not-rpc.bin'))).toMatchObject({ ok: false });
    expect(decodeBindReply(testdata('response-lookup-one-samba.bin'))).toMatchObject({
      ok: false,
      error: 'expected bind_ack, got PDU type 2',
    });
  });
});

describe('decodeHeader', () => {
  it('checks version, length and auth trailer bounds', () => {
    const one = Buffer.from(testdata('response-lookup-one-samba.bin'));
    expect(decodeHeader(one)).toMatchObject({
      ok: true,
      value: { ptype: 2, flags: 3, callId: 2, fragLength: 200 },
    });
    const auth = Buffer.from(one);
    auth.writeUInt16LE(190, 10);
    expect(decodeHeader(auth)).toMatchObject({ ok: false, error: expect.stringContaining('auth length') });
    const long = Buffer.from(one);
    long.writeUInt16LE(201, 8);
    expect(decodeHeader(long)).toMatchObject({ ok: false });
  });

  it('honours a big-endian sender', () => {
    const be = Buffer.from(testdata('response-bind-ack-samba.bin'));
    be[4] = 0x00;
    be.writeUInt16BE(60, 8);
    be.writeUInt32BE(1, 12);
    expect(decodeHeader(be)).toMatchObject({
      ok: true,
      value: { littleEndian: false, fragLength: 60, callId: 1 },
    });
  });
});

describe('fragments', () => {
  const frags = splitPdus(testdata('response-lookup-all-fragmented-samba.bin'));

  it('samba split the whole map into three fragments (FIRST, middle, LAST)', () => {
    expect(frags.map((f) => f[3])).toEqual([1, 0, 2]);
  });

  it('reassembles to the same stub as the unfragmented answer', () => {
    const asm = new FragmentAssembler(2, 1 << 20, 16);
    for (const f of frags) {
      const d = decodeCallReply(f);
      expect(d.ok).toBe(true);
      expect(asm.add((d as { value: ResponseFragment }).value)).toBeUndefined();
    }
    expect(asm.done).toBe(true);
    const whole = decodeCallReply(testdata('response-lookup-all-samba.bin'));
    expect(asm.stub.bytes).toEqual((whole as { value: ResponseFragment }).value.stub);
  });

  it('refuses out-of-order, foreign and oversized fragment runs', () => {
    const dec = (b: Buffer) => (decodeCallReply(b) as { value: ResponseFragment }).value;
    expect(new FragmentAssembler(2, 1 << 20, 16).add(dec(frags[1]!))).toMatch(/lacks PFC_FIRST/);
    expect(new FragmentAssembler(9, 1 << 20, 16).add(dec(frags[0]!))).toMatch(/call 2, expected 9/);
    const twice = new FragmentAssembler(2, 1 << 20, 16);
    twice.add(dec(frags[0]!));
    expect(twice.add(dec(frags[0]!))).toMatch(/PFC_FIRST_FRAG in the middle/);
    const small = new FragmentAssembler(2, 3000, 16);
    small.add(dec(frags[0]!));
    expect(small.add(dec(frags[1]!))).toMatch(/larger than 3000/);
    const few = new FragmentAssembler(2, 1 << 20, 2);
    few.add(dec(frags[0]!));
    few.add(dec(frags[1]!));
    expect(few.add(dec(frags[2]!))).toMatch(/more than 2/);
  });
});
