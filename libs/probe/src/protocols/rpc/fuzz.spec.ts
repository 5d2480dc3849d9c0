/**
 * Property tests: random and mutated PDUs never make the decoders (or the whole walk) throw, loop or
 * allocate beyond what the bytes hold. A crash input found here goes to testdata/ as malformed-*.bin.
 */
import type net from 'node:net';

import fc from 'fast-check';
import { PROBE_STATUSES } from '@fleetqry/contracts';

import { startHostileServer } from '../../testing/hostile-servers.js';
import { DEFAULT_WALK, walkEndpointMapper } from './client.js';
import { decodeLookupResponse } from './epm.js';
import { decodeBindReply, decodeCallReply, FragmentAssembler, pduFramer } from './pdu.js';
import { splitPdus, testdata } from './rpc-testdata.js';

const RECORDED = [
  'response-bind-ack-samba.bin',
  'response-lookup-all-samba.bin',
  'response-lookup-20-first-samba.bin',
  'response-lookup-20-last-samba.bin',
  'response-lookup-one-samba.bin',
  'response-lookup-all-fragmented-samba.bin',
].map(testdata);

/** Everything a client does with received bytes, short of the socket. Returns the entry count or -1. */
function decodeAll(stream: Buffer, maxEnts = 500): number {
  const pdus = splitPdus(stream);
  decodeBindReply(stream);
  const asm = new FragmentAssembler(stream.length >= 16 ? stream.readUInt32LE(12) : 0, 1 << 20, 512);
  for (const p of pdus) {
    const d = decodeCallReply(p);
    if (!d.ok || d.value.kind !== 'response' || asm.add(d.value)) return -1;
    if (asm.done) break;
  }
  const r = decodeLookupResponse(asm.stub.bytes, asm.stub.littleEndian, maxEnts);
  return r.ok ? r.value.entries.length : -1;
}

/** Mutations that hit length and count fields: overwrite, insert, delete, truncate, extreme u32/u16. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0x10000, 500, 501),
  }),
  fc.record({
    kind: fc.constant('u16' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 15, 16, 0xffff, 0x8000),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(input: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'byte') b[at] = m.value;
    else if (m.kind === 'u32' && at + 4 <= b.length) b.writeUInt32LE(m.value, at);
    else if (m.kind === 'u16' && at + 2 <= b.length) b.writeUInt16LE(m.value, at);
    else if (m.kind === 'truncate') b = b.subarray(0, at);
    else if (m.kind === 'insert')
      b = Buffer.concat([b.subarray(0, at), Buffer.from([m.value]), b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
  }
  return b;
}

describe('RPC decoders under fuzzing', () => {
  it('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const b = Buffer.from(bytes);
        pduFramer(b);
        decodeBindReply(b);
        decodeCallReply(b);
        expect(decodeLookupResponse(b, true, 500).ok || true).toBe(true);
        expect(decodeLookupResponse(b, false, 500).ok || true).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes behind a valid response header never throw', () => {
    const header = testdata('response-lookup-one-samba.bin').subarray(0, 24);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const b = Buffer.concat([header, Buffer.from(bytes)]);
        b.writeUInt16LE(b.length, 8);
        expect(decodeAll(b)).toBeLessThanOrEqual(500);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated recorded answers never throw and never yield more entries than asked for', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RECORDED),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(1, 20, 500),
        (base, ms, maxEnts) => {
          const started = Date.now();
          const n = decodeAll(mutate(base, ms), maxEnts);
          expect(n).toBeLessThanOrEqual(maxEnts);
          expect(Date.now() - started).toBeLessThan(1000);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('the whole walk against a fake server sending mutated answers', () => {
  it('always settles with a status from the vocabulary', async () => {
    const ack = testdata('response-bind-ack-samba.bin');
    const base = testdata('response-lookup-20-first-samba.bin');
    let current: { ack: Buffer; answer: Buffer } = { ack, answer: base };
    const server = await startHostileServer('script', {
      address: '127.43.0.1',
      maxLifetimeMs: 3000,
      script(socket: net.Socket) {
        let n = 0;
        socket.on('data', () => {
          socket.write(n++ === 0 ? current.ack : current.answer);
        });
      },
    });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          async (mutateAck, ms) => {
            current = mutateAck ? { ack: mutate(ack, ms), answer: base } : { ack, answer: mutate(base, ms) };
            const r = await walkEndpointMapper({
              ...DEFAULT_WALK,
              address: server.address,
              port: server.port,
              timeoutMs: 250,
              maxCalls: 8,
            });
            expect(PROBE_STATUSES).toContain(r.status);
            expect(r.endpoints.length).toBeLessThanOrEqual(DEFAULT_WALK.maxEntries);
          },
        ),
        { numRuns: 40 },
      );
      expect(await server.allClosed(2000)).toBe(true);
    } finally {
      await server.close();
    }
  }, 30_000);
});
