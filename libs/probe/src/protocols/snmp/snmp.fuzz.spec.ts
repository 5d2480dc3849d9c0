/**
 * Fuzzing SNMP decoding (v1/v2c responses and v3 Reports): random bytes and mutated recorded inputs (byte edits, cuts, insertions) never throw
 * out of the parser, finish fast (no loops), and produce output bounded by the input size.
 */
import fc from 'fast-check';

import { bounded, fuzzInputs } from '../../testing/fuzz-inputs.js';
import { decodeResponse } from './message.js';
import { decodeV3Report, looksLikeV3, toEngineData } from './v3.js';

const inputs = fuzzInputs(import.meta.url);

describe('SNMP decoding (v1/v2c responses and v3 Reports) fuzzing', () => {
  it('decodeResponse never throws, stays bounded', () => {
    fc.assert(
      fc.property(inputs, (buf) => bounded(buf, () => decodeResponse(buf), 4, 300)),
      { numRuns: 5000 },
    );
  });

  it('decodeV3Report and the engine id decoding never throw, stay bounded', () => {
    fc.assert(
      fc.property(inputs, (buf) =>
        bounded(
          buf,
          () => {
            looksLikeV3(buf);
            const r = decodeV3Report(buf);
            return r.ok ? toEngineData(r.report) : r;
          },
          0,
          800,
        ),
      ),
      { numRuns: 5000 },
    );
  });
});
