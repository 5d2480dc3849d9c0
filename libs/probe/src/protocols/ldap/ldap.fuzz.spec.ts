/**
 * Fuzzing LDAP decoding (ldapts's BER parser as the plugin drives it, and our rootDSE mapping): a fake
 * server answers the rootDSE search with a mutated recording of slapd's answer, or random bytes, and
 * closes. The query must settle with a status (never throw, never hang past its deadline), and the
 * data it reports must stay bounded by what was received.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { ldapPlugin, toRootDSE } from './index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const seeds = ['response-rootdse-slapd.bin', 'response-nosuchobject-slapd.bin'].map((f) =>
  readFileSync(path.join(dir, f)),
);
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
    fc.nat(),
  )
  .map(([seed, edits, cut]) => {
    const b = Buffer.from(seed);
    for (const [pos, byte] of edits) b[pos % b.length] = byte;
    return b.subarray(0, 1 + (cut % b.length));
  });
const inputs = fc.oneof(
  mutated,
  mutated,
  mutated,
  fc.uint8Array({ minLength: 1, maxLength: 600 }).map(Buffer.from),
);

let server: net.Server;
let port = 0;
let next: Buffer = Buffer.alloc(0);
beforeAll(async () => {
  server = net.createServer((s) => {
    s.on('error', () => undefined);
    // Answer the first request with the fuzzed bytes, then close (so the client never waits).
    s.once('data', () => s.end(next));
  });
  await new Promise<void>((r) => server.listen(0, '127.44.0.27', () => r()));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const ctx = (): ProtocolContext => ({
  host: 'fake',
  address: '127.44.0.27',
  port,
  proto: 'tcp',
  timeoutMs: 800,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

describe('LDAP fuzzing', () => {
  it('the plugin settles with a status on mutated and random answers', async () => {
    await fc.assert(
      fc.asyncProperty(inputs, async (bytes) => {
        next = bytes;
        const t0 = performance.now();
        const r = await ldapPlugin.query(ctx());
        expect(performance.now() - t0).toBeLessThan(1200);
        expect(typeof r.status).toBe('string');
        expect(JSON.stringify(r.data ?? null).length).toBeLessThanOrEqual(2000 + 4 * bytes.length);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('toRootDSE stays bounded on hostile entries (many values, huge values, binary)', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 6000 }),
      fc.uint8Array({ maxLength: 6000 }).map((a) => Buffer.from(a)),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 20 }), fc.array(value, { maxLength: 700 }), { maxKeys: 4 }),
        (entry) => {
          const out = toRootDSE({ dn: '', ...entry });
          for (const values of Object.values(out)) {
            expect(values.length).toBeLessThanOrEqual(512);
            for (const v of values) expect(v.length).toBeLessThanOrEqual(4096 + 'base64:'.length + 1);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
