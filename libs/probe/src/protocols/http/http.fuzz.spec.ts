/**
 * Fuzzing the HTTP response head framer and parser: random bytes and mutated recorded inputs (byte edits, cuts, insertions) never throw
 * out of the parser, finish fast (no loops), and produce output bounded by the input size.
 */
import fc from 'fast-check';

import { bounded, fuzzInputs } from '../../testing/fuzz-inputs.js';
import { httpHeadFramer, parseHttpHead } from './http-head.js';

const inputs = fuzzInputs(import.meta.url);

describe('the HTTP response head framer and parser fuzzing', () => {
  it('framing then parsing never throws, stays bounded', () => {
    fc.assert(
      fc.property(inputs, (buf) =>
        bounded(
          buf,
          () => {
            const frame = httpHeadFramer(buf);
            const whole = frame.kind === 'complete' ? parseHttpHead(buf.subarray(0, frame.length)) : frame;
            return [whole, parseHttpHead(buf)];
          },
          2,
          4000,
        ),
      ),
      { numRuns: 3000 },
    );
  });
});
