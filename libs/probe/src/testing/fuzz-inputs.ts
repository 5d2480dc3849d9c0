/**
 * Shared fuzz inputs for the protocol parsers: random bytes and mutated recorded inputs (byte edits,
 * cuts, insertions) seeded from a protocol folder's testdata/*.bin, and a check that a parser call
 * returned in time with output bounded by its input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';

/** Inputs for one protocol; `specUrl` is the fuzz spec's `import.meta.url` (testdata/ sits beside it). */
export function fuzzInputs(specUrl: string): fc.Arbitrary<Buffer> {
  const dir = path.join(path.dirname(fileURLToPath(specUrl)), 'testdata');
  const seeds = readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => readFileSync(path.join(dir, f)))
    .filter((b) => b.length > 0);

  /** A recorded input with up to 8 byte edits, a cut, and a few inserted bytes. */
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(),
      fc.nat(),
      fc.uint8Array({ maxLength: 8 }),
    )
    .map(([seed, edits, cut, at, insert]) => {
      const b = Buffer.from(seed);
      for (const [pos, byte] of edits) b[pos % b.length] = byte;
      const p = at % (b.length + 1);
      const withInsert = Buffer.concat([b.subarray(0, p), Buffer.from(insert), b.subarray(p)]);
      return withInsert.subarray(0, 1 + (cut % withInsert.length));
    });
  const anyBytes = fc.uint8Array({ maxLength: 1500 }).map((a) => Buffer.from(a));
  return fc.oneof(mutated, mutated, anyBytes);
}

/**
 * Runs `f` and checks it returned with output of bounded size, having used little CPU: a parser that
 * backtracks or loops on hostile bytes spends CPU seconds. CPU time, not wall time, so a loaded machine
 * (other processes, a GC pause elsewhere) cannot fail it.
 */
export function bounded(input: Buffer, f: () => unknown, perByte: number, constant: number): void {
  const before = process.cpuUsage();
  const out = f();
  const used = process.cpuUsage(before);
  expect((used.user + used.system) / 1000).toBeLessThan(250);
  expect(JSON.stringify(out ?? null).length).toBeLessThanOrEqual(constant + perByte * input.length);
}
