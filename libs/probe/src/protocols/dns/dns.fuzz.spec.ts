/**
 * Fuzzing the DNS reply parser: random bytes and mutated recorded inputs (byte edits, cuts, insertions) never throw
 * out of the parser, finish fast (no loops), and produce output bounded by the input size.
 */
import fc from 'fast-check';

import { bounded, fuzzInputs } from '../../testing/fuzz-inputs.js';
import { parseReply, questionFor } from './message.js';

const inputs = fuzzInputs(import.meta.url);

describe('the DNS reply parser fuzzing', () => {
  const q = questionFor('h1.test');
  it('parseReply never throws, stays bounded (UDP and TCP framing)', () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom('udp' as const, 'tcp' as const), (buf, t) =>
        bounded(buf, () => parseReply(buf, 0x4242, q, t), 40, 2000),
      ),
      { numRuns: 5000 },
    );
  });
});
