/**
 * Fuzzing the POP3 status framer and parser: random bytes and mutated recorded inputs (byte edits, cuts, insertions) never throw
 * out of the parser, finish fast (no loops), and produce output bounded by the input size.
 */
import fc from 'fast-check';

import { bounded, fuzzInputs } from '../../testing/fuzz-inputs.js';
import { parsePop3Greeting, pop3StatusFramer } from './pop3-greeting.js';

const inputs = fuzzInputs(import.meta.url);

describe('the POP3 status framer and parser fuzzing', () => {
  it('framing then parsing never throws, stays bounded', () => {
    fc.assert(
      fc.property(inputs, (buf) =>
        bounded(
          buf,
          () => {
            const frame = pop3StatusFramer(buf);
            const whole =
              frame.kind === 'complete' ? parsePop3Greeting(buf.subarray(0, frame.length)) : frame;
            return [whole, parsePop3Greeting(buf)];
          },
          2,
          4000,
        ),
      ),
      { numRuns: 3000 },
    );
  });
});
