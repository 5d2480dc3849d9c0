import {
  decodeLookupResponse,
  decodeTowerFloors,
  endpointLines,
  EPT_S_NOT_REGISTERED,
  isNullHandle,
  towerToEndpoint,
} from './epm.js';
import { uuidToBytesLE } from './ndr.js';
import { decodeCallReply, FragmentAssembler, type ResponseFragment } from './pdu.js';
import { splitPdus, testdata } from './rpc-testdata.js';

/** The stub of a single-fragment recorded response. */
function stubOf(name: string): Buffer {
  const d = decodeCallReply(testdata(name));
  if (!d.ok || d.value.kind !== 'response') throw new Error(`${name}: ${JSON.stringify(d)}`);
  return d.value.stub;
}

function lookup(name: string, maxEnts = 500) {
  const r = decodeLookupResponse(stubOf(name), true, maxEnts);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('decodeLookupResponse on samba 4.17 answers', () => {
  it('reads the whole map in one answer: 38 endpoints, status ept_s_not_registered', () => {
    const r = lookup('response-lookup-all-samba.bin');
    expect(r.status).toBe(EPT_S_NOT_REGISTERED);
    expect(r.entries).toHaveLength(38);
    expect(isNullHandle(r.handle)).toBe(true);
    expect(r.entries[0]).toEqual({
      uuid: '82273fdc-e32a-18c3-3f78-827929dc23ea',
      version: '0.0',
      annotation: 'eventlog',
      protocol: 'ncacn_np',
      binding: 'ncacn_np:[\\\\pipe\\\\eventlog]',
      pipe: '\\pipe\\eventlog',
    });
    expect(r.entries).toContainEqual({
      uuid: '12345778-1234-abcd-ef00-0123456789ab',
      version: '0.0',
      annotation: 'lsarpc',
      protocol: 'ncacn_ip_tcp',
      binding: 'ncacn_ip_tcp:127.30.0.10[49152]',
      port: 49152,
      host: '127.30.0.10',
    });
    expect(r.entries).toContainEqual(
      expect.objectContaining({ protocol: 'ncalrpc', binding: 'ncalrpc:[EPMAPPER]', annotation: 'epmapper' }),
    );
    expect(r.entries).toContainEqual(
      expect.objectContaining({ protocol: 'ncacn_http', binding: 'ncacn_http:0.0.0.0[593]', port: 593 }),
    );
    const counts = r.entries.reduce<Record<string, number>>(
      (m, e) => ({ ...m, [e.protocol]: (m[e.protocol] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ ncacn_np: 18, ncalrpc: 11, ncacn_ip_tcp: 8, ncacn_http: 1 });
  });

  it('walks in two calls: a context handle, then the end of the map', () => {
    const first = lookup('response-lookup-20-first-samba.bin', 20);
    expect(first.status).toBe(0);
    expect(first.entries).toHaveLength(20);
    expect(isNullHandle(first.handle)).toBe(false);
    const last = lookup('response-lookup-20-last-samba.bin', 20);
    expect(last.status).toBe(EPT_S_NOT_REGISTERED);
    expect([...first.entries, ...last.entries]).toEqual(lookup('response-lookup-all-samba.bin').entries);
  });

  it('decodes the fragmented answer to the same endpoints', () => {
    const asm = new FragmentAssembler(2, 1 << 20, 16);
    for (const f of splitPdus(testdata('response-lookup-all-fragmented-samba.bin')))
      asm.add((decodeCallReply(f) as { value: ResponseFragment }).value);
    const r = decodeLookupResponse(asm.stub.bytes, true, 500);
    expect(r.ok && r.value.entries).toEqual(lookup('response-lookup-all-samba.bin').entries);
  });

  it('refuses an answer with more entries than asked for', () => {
    expect(decodeLookupResponse(stubOf('response-lookup-20-first-samba.bin'), true, 19)).toMatchObject({
      ok: false,
      error: expect.stringContaining('exceeds the 19 asked for'),
    });
  });
});

describe('malformed ept_lookup answers (testdata/malformed-*) → errors, never throws', () => {
  it.each([
    ['malformed-num-ents-huge.bin', /exceeds/],
    ['malformed-annotation-length.bin', /annotation bounds/],
    ['malformed-tower-length.bin', /tower octets|tower_length/],
    ['malformed-floor-count.bin', /tower with 65535 floors/],
    ['malformed-floor-lhs-length.bin', /floor lhs/],
  ])('%s', (name, error) => {
    const stub = decodeCallReply(testdata(name));
    expect(stub.ok).toBe(true);
    const r = decodeLookupResponse((stub as { value: ResponseFragment }).value.stub, true, 500);
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(error) });
  });

  it('every truncation of a real stub is an error, not a throw', () => {
    const stub = stubOf('response-lookup-20-first-samba.bin');
    for (let n = 0; n < stub.length; n += 3)
      expect(decodeLookupResponse(stub.subarray(0, n), true, 20).ok).toBe(false);
  });

  it('truncated PDUs and foreign bytes do not decode', () => {
    expect(decodeCallReply(testdata('malformed-truncated.bin')).ok).toBe(false);
    expect(decodeCallReply(testdata('malformed-not-rpc.bin')).ok).toBe(false);
    expect(decodeCallReply(testdata('malformed-frag-length-short.bin')).ok).toBe(false);
  });
});

/** A tower as the endpoint mapper encodes it: little-endian floor count and lengths. */
function tower(floors: Array<[Buffer, Buffer]>): Buffer {
  const parts: Buffer[] = [Buffer.from([floors.length, 0])];
  for (const [lhs, rhs] of floors) {
    parts.push(
      Buffer.from([lhs.length & 0xff, lhs.length >> 8]),
      lhs,
      Buffer.from([rhs.length & 0xff, rhs.length >> 8]),
      rhs,
    );
  }
  return Buffer.concat(parts);
}
const iface = (uuid: string, major: number, minor: number): [Buffer, Buffer] => {
  const lhs = Buffer.alloc(19);
  lhs[0] = 0x0d;
  uuidToBytesLE(uuid).copy(lhs, 1);
  lhs.writeUInt16LE(major, 17);
  const rhs = Buffer.alloc(2);
  rhs.writeUInt16LE(minor);
  return [lhs, rhs];
};
const NDR = iface('8a885d04-1ceb-11c9-9fe8-08002b104860', 2, 0);
const u16be = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const str = (s: string) => Buffer.from(`${s}\0`, 'latin1');
const LSASS = '12345778-1234-abcd-ef00-0123456789ac';

describe('towers (Windows shapes, built from MS-RPCE 2.2.1.3)', () => {
  it('ncacn_np with a NetBIOS host prints as PortQry does', () => {
    const e = towerToEndpoint(
      tower([
        iface(LSASS, 1, 0),
        NDR,
        [Buffer.from([0x0b]), Buffer.from([0, 0])],
        [Buffer.from([0x0f]), str('\\PIPE\\lsass')],
        [Buffer.from([0x11]), str('\\\\MYSERVER')],
      ]),
    );
    expect(e).toEqual({
      uuid: LSASS,
      version: '1.0',
      protocol: 'ncacn_np',
      pipe: '\\PIPE\\lsass',
      host: '\\\\MYSERVER',
      binding: 'ncacn_np:\\\\\\\\MYSERVER[\\\\PIPE\\\\lsass]',
    });
    expect(endpointLines({ ...e, annotation: '' })).toEqual([
      `UUID: ${LSASS}`,
      String.raw`ncacn_np:\\\\MYSERVER[\\PIPE\\lsass]`,
    ]);
  });

  it('ncadg_ip_udp, ncacn_ip_tcp, ncalrpc, ncacn_http', () => {
    const ip = Buffer.from([10, 0, 0, 5]);
    const u = towerToEndpoint(
      tower([
        iface(LSASS, 1, 0),
        NDR,
        [Buffer.from([0x0a]), Buffer.from([0, 0])],
        [Buffer.from([0x08]), u16be(1030)],
        [Buffer.from([0x09]), ip],
      ]),
    );
    expect(u).toMatchObject({
      protocol: 'ncadg_ip_udp',
      binding: 'ncadg_ip_udp:10.0.0.5[1030]',
      port: 1030,
      host: '10.0.0.5',
    });
    const t = towerToEndpoint(
      tower([
        iface(LSASS, 1, 0),
        NDR,
        [Buffer.from([0x0b]), Buffer.from([0, 0])],
        [Buffer.from([0x07]), u16be(49667)],
        [Buffer.from([0x09]), ip],
      ]),
    );
    expect(t.binding).toBe('ncacn_ip_tcp:10.0.0.5[49667]');
    const l = towerToEndpoint(
      tower([
        iface(LSASS, 1, 0),
        NDR,
        [Buffer.from([0x0c]), Buffer.from([0, 0])],
        [Buffer.from([0x10]), str('LRPC-5c3f7e1a')],
      ]),
    );
    expect(l).toMatchObject({ protocol: 'ncalrpc', binding: 'ncalrpc:[LRPC-5c3f7e1a]' });
    const h = towerToEndpoint(
      tower([
        iface(LSASS, 1, 0),
        NDR,
        [Buffer.from([0x0b]), Buffer.from([0, 0])],
        [Buffer.from([0x1f]), u16be(593)],
        [Buffer.from([0x09]), ip],
      ]),
    );
    expect(h.binding).toBe('ncacn_http:10.0.0.5[593]');
  });

  it('unknown protocol floors are listed, control bytes escaped, bad towers refused', () => {
    const odd = towerToEndpoint(
      tower([
        iface(LSASS, 1, 0),
        NDR,
        [Buffer.from([0x0b]), Buffer.from([0, 0])],
        [Buffer.from([0x42]), Buffer.from([1])],
      ]),
    );
    expect(odd).toMatchObject({ protocol: 'unknown', binding: 'unknown:[floors 0x0b,0x42]' });
    const esc = towerToEndpoint(
      tower([
        iface(LSASS, 1, 0),
        NDR,
        [Buffer.from([0x0c]), Buffer.from([0, 0])],
        [Buffer.from([0x10]), Buffer.from('a\x1b[2Jb\n\0')],
      ]),
    );
    expect(esc.binding).toBe('ncalrpc:[a\\\\x1b[2Jb\\\\n]');
    expect(() => decodeTowerFloors(Buffer.from([0, 0]))).toThrow(/0 floors/);
    expect(() => towerToEndpoint(tower([[Buffer.from([0x07]), Buffer.from([0, 135])]]))).toThrow(/floor 1/);
    expect(() => decodeTowerFloors(Buffer.from([1, 0, 5, 0, 0x0d]))).toThrow(/floor lhs/);
  });
});
