/**
 * Fuzzing the NTP reply parser: random bytes and mutated recorded inputs (byte edits, cuts, insertions) never throw
 * out of the parser, finish fast (no loops), and produce output bounded by the input size.
 */
import fc from 'fast-check';

import { bounded, fuzzInputs } from '../../testing/fuzz-inputs.js';
import { parseReply } from './packet.js';

const inputs = fuzzInputs(import.meta.url);

describe('the NTP reply parser fuzzing', () => {
  it('parseReply never throws, stays bounded', () => {
    fc.assert(
      fc.property(inputs, (buf) => bounded(buf, () => parseReply(buf), 0, 1000)),
      { numRuns: 5000 },
    );
  });
});
