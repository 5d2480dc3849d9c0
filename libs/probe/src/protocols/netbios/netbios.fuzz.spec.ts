/**
 * Fuzzing the NetBIOS node status parser: random bytes and mutated recorded inputs (byte edits, cuts, insertions) never throw
 * out of the parser, finish fast (no loops), and produce output bounded by the input size.
 */
import fc from 'fast-check';

import { bounded, fuzzInputs } from '../../testing/fuzz-inputs.js';
import { parseNodeStatus } from './message.js';

const inputs = fuzzInputs(import.meta.url);

describe('the NetBIOS node status parser fuzzing', () => {
  it('parseNodeStatus never throws, stays bounded', () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom(0x4242, 0), (buf, id) =>
        bounded(buf, () => parseNodeStatus(buf, id), 8, 300),
      ),
      { numRuns: 5000 },
    );
  });
});
