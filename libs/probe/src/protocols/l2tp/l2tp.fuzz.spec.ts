/**
 * Fuzzing the L2TP control message parser: random bytes and mutated recorded inputs (byte edits, cuts, insertions) never throw
 * out of the parser, finish fast (no loops), and produce output bounded by the input size.
 */
import fc from 'fast-check';

import { bounded, fuzzInputs } from '../../testing/fuzz-inputs.js';
import { parseControl, summary } from './message.js';

const inputs = fuzzInputs(import.meta.url);

describe('the L2TP control message parser fuzzing', () => {
  it('parseControl never throws, stays bounded', () => {
    fc.assert(
      fc.property(inputs, (buf) =>
        bounded(
          buf,
          () => {
            const r = parseControl(buf);
            return r.ok ? [r, summary(r.reply)] : r;
          },
          0,
          1500,
        ),
      ),
      { numRuns: 5000 },
    );
  });
});
