import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';

import { buildQuery, parseReply, questionFor, validateQueryName } from './message.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const load = (name: string): Buffer => readFileSync(join(dir, name));
const ID = 0x4242;
const H1 = { name: 'h1.test', type: 'A' } as const;

describe('DNS query building', () => {
  it('builds the query dnsmasq answered in the recordings', () => {
    expect(buildQuery(ID, H1).equals(load('query-h1-test-a.bin'))).toBe(true);
  });
  it('asks the root for NS by default and A for a configured name', () => {
    expect(questionFor(undefined)).toEqual({ name: '.', type: 'NS' });
    expect(questionFor('h1.test.')).toEqual({ name: 'h1.test', type: 'A' });
  });
  it.each(['a..b', 'x'.repeat(64) + '.com', 'a b', 'é.test', 'a\n.test', 'a.'.repeat(130)])(
    'refuses %j',
    (n) => {
      expect(validateQueryName(n)).toBeDefined();
    },
  );
  it('accepts ordinary names', () => {
    for (const n of ['.', 'h1.test', '_ldap._tcp.dc.example', 'x'.repeat(63)])
      expect(validateQueryName(n)).toBeUndefined();
  });
});

describe('parseReply on recorded answers', () => {
  it('parses an A answer', () => {
    const r = parseReply(load('udp-h1-test-a.bin'), ID, H1, 'udp');
    expect(r).toEqual({
      ok: true,
      data: {
        transport: 'udp',
        rcode: 'NOERROR',
        flags: ['qr', 'aa', 'rd', 'ra'],
        answers: [{ name: 'h1.test', type: 'A', data: '127.41.0.50' }],
        question: H1,
      },
    });
  });
  it('parses NXDOMAIN and REFUSED as answers', () => {
    const nx = parseReply(load('udp-nx-test-nxdomain.bin'), ID, { name: 'nx.test', type: 'A' }, 'udp');
    expect(nx.ok && nx.data.rcode).toBe('NXDOMAIN');
    const refused = parseReply(load('udp-root-ns-refused.bin'), ID, { name: '.', type: 'NS' }, 'udp');
    expect(refused.ok && refused.data.rcode).toBe('REFUSED');
  });
  it('parses the TCP answer once unframed', () => {
    const framed = load('tcp-h1-test-a.framed.bin');
    expect(framed.readUInt16BE(0)).toBe(framed.length - 2);
    const r = parseReply(framed.subarray(2), ID, H1, 'tcp');
    expect(r.ok && r.data.answers[0]?.data).toBe('127.41.0.50');
  });
});

describe('parseReply on malformed answers', () => {
  it.each([
    ['malformed-truncated.bin', /does not parse/, true],
    ['malformed-wrong-id.bin', /id does not match/, false],
    ['malformed-not-a-response.bin', /is a query/, true],
    ['malformed-pointer-loop.bin', /does not parse/, true],
    ['malformed-huge-ancount.bin', /does not parse/, true],
    ['malformed-other-question.bin', /different question/, true],
    ['malformed-short.bin', /shorter than a DNS header/, true],
  ])('%s → error', (name, why, ours) => {
    const r = parseReply(load(name), ID, H1, 'udp');
    expect(r).toMatchObject({ ok: false, ours });
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('never throws on random or mutated bytes', () => {
    const seeds = ['udp-h1-test-a.bin', 'udp-nx-test-nxdomain.bin', 'udp-root-ns-refused.bin'].map(load);
    const mutated = fc
      .tuple(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
      )
      .map(([seed, edits, cut]) => {
        const b = Buffer.from(seed);
        for (const [pos, byte] of edits) if (pos % b.length >= 2) b[pos % b.length] = byte; // keep the id
        return b.subarray(0, 2 + (cut % (b.length - 1)));
      });
    const anyBytes = fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.oneof(mutated, anyBytes), (buf) => {
        const r = parseReply(buf, ID, H1, 'udp');
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 5000 },
    );
  });
});
