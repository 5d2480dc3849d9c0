import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';

import { decodeResponse, encodeGetRequest, SYSTEM_OIDS, type SnmpResponse } from './message.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const load = (name: string): Buffer => readFileSync(join(dir, name));
const sys = [SYSTEM_OIDS.sysDescr, SYSTEM_OIDS.sysName, SYSTEM_OIDS.sysObjectID];

function decoded(name: string): SnmpResponse {
  const r = decodeResponse(load(name));
  if (!r.ok) throw new Error(`${name}: ${r.error}`);
  return r.message;
}

describe('encodeGetRequest', () => {
  it('produces the exact request snmpd answered in the recordings', () => {
    const pkt = encodeGetRequest({ version: 'v2c', community: 'public', requestId: 0x1234567, oids: sys });
    expect(pkt.equals(load('request-get-v2c-public.bin'))).toBe(true);
  });
});

describe('decodeResponse on recorded answers', () => {
  it('decodes a v2c system-group answer', () => {
    const m = decoded('response-v2c-public-system.bin');
    expect(m).toMatchObject({ version: 'v2c', requestId: 0x1234567, errorStatus: 0, errorIndex: 0 });
    expect(m.community.toString()).toBe('public');
    expect(m.varbinds.map((v) => [v.oid, v.type])).toEqual([
      [SYSTEM_OIDS.sysDescr, 'OctetString'],
      [SYSTEM_OIDS.sysName, 'OctetString'],
      [SYSTEM_OIDS.sysObjectID, 'OID'],
    ]);
    expect(String(m.varbinds[0]!.value)).toBe('fleetqry lab agent (public)');
    expect(m.varbinds[2]!.value).toBe('1.3.6.1.4.1.8072.3.2.10');
  });

  it('decodes a v1 answer and a v1-only agent answer', () => {
    expect(decoded('response-v1-public-system.bin').version).toBe('v1');
    const m = decoded('response-v1-v1only-system.bin');
    expect(m.version).toBe('v1');
    expect(String(m.varbinds[1]!.value)).toBe('lab-snmp-v1only');
  });

  it('keeps v1 error-status (noSuchName) and v2c exceptions', () => {
    const v1 = decoded('response-v1-nosuchname.bin');
    expect([v1.errorStatus, v1.errorIndex]).toEqual([2, 4]);
    const v2 = decoded('response-v2c-nosuchobject.bin');
    expect(v2.errorStatus).toBe(0);
    expect(v2.varbinds[3]).toEqual({ oid: '1.3.6.1.2.1.1.99.0', type: 'noSuchObject' });
  });
});

describe('decodeResponse on malformed input', () => {
  it.each([
    ['malformed-truncated.bin', /exceeds|truncated/],
    ['malformed-huge-length.bin', /exceeds/],
    ['malformed-indefinite-length.bin', /malformed BER/],
    ['malformed-community-wrong-type.bin', /community is tag 0x02/],
    ['malformed-pdu-trap.bin', /0xa7 is not a Response/],
    ['malformed-version3.bin', /unsupported SNMP version/],
    ['malformed-trailing-bytes.bin', /does not match the datagram/],
    ['malformed-not-snmp.bin', /expected message/],
  ])('%s is rejected with a reason', (name, reason) => {
    const r = decodeResponse(load(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });

  it('rejects every truncation of a valid answer', () => {
    const ok = load('response-v2c-public-system.bin');
    for (let n = 0; n < ok.length; n++) expect(decodeResponse(ok.subarray(0, n)).ok).toBe(false);
  });

  it('never echoes payload bytes (e.g. the community) in errors', () => {
    const r = decodeResponse(load('malformed-pdu-trap.bin'));
    expect(!r.ok && r.error.includes('public')).toBe(false);
  });
});

describe('decodeResponse property: hostile bytes never throw and stay fast', () => {
  const seeds = [
    'response-v1-public-system.bin',
    'response-v2c-public-system.bin',
    'response-v1-nosuchname.bin',
    'response-v2c-nosuchobject.bin',
  ].map(load);

  const check = (buf: Buffer): void => {
    const started = performance.now();
    const r = decodeResponse(buf);
    expect(typeof r.ok).toBe('boolean');
    // Generous bound: GC pauses under a parallel jest run must not flake it; a loop or blow-up would.
    expect(performance.now() - started).toBeLessThan(1000);
  };

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (a) => check(Buffer.from(a))),
      { numRuns: 3000 },
    );
  });

  it('recorded answers with bytes overwritten, inserted and cut', () => {
    const mutated = fc
      .tuple(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 8 }),
      )
      .map(([seed, edits, cut, insert]) => {
        const b = Buffer.from(seed);
        for (const [pos, byte] of edits) b[pos % b.length] = byte;
        const at = cut % (b.length + 1);
        return Buffer.concat([b.subarray(0, at), Buffer.from(insert), b.subarray(at)]);
      });
    fc.assert(fc.property(mutated, check), { numRuns: 5000 });
  });

  it('length bytes pointing far past the end', () => {
    const lengths = fc.constantFrom(
      [0x84, 0xff, 0xff, 0xff, 0xff],
      [0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0xff, ...new Array<number>(127).fill(0xff)],
      [0x80],
    );
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.nat(), lengths, (seed, pos, len) => {
        const at = pos % seed.length;
        check(Buffer.concat([seed.subarray(0, at + 1), Buffer.from(len), seed.subarray(at + 2)]));
      }),
      { numRuns: 2000 },
    );
  });
});
