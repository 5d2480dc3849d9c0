/**
 * Fuzzing the ISAKMP/IKE reply parser: random bytes and mutated recorded inputs (byte edits, cuts, insertions) never throw
 * out of the parser, finish fast (no loops), and produce output bounded by the input size.
 */
import fc from 'fast-check';

import { bounded, fuzzInputs } from '../../testing/fuzz-inputs.js';
import { parseIkeReply, summary } from './message.js';

const inputs = fuzzInputs(import.meta.url);

describe('the ISAKMP/IKE reply parser fuzzing', () => {
  it('parseIkeReply never throws, stays bounded', () => {
    fc.assert(
      fc.property(inputs, (buf) =>
        bounded(
          buf,
          () => {
            const r = parseIkeReply(buf);
            return r.ok ? [r, summary(r.reply)] : r;
          },
          0,
          2000,
        ),
      ),
      { numRuns: 5000 },
    );
  });
});
