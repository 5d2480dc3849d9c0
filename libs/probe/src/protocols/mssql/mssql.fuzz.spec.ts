/**
 * Fuzzing the SQL Server browser parser: random bytes and mutated recorded inputs (byte edits, cuts, insertions) never throw
 * out of the parser, finish fast (no loops), and produce output bounded by the input size.
 */
import fc from 'fast-check';

import { bounded, fuzzInputs } from '../../testing/fuzz-inputs.js';
import { buildBrowserResponse, parseBrowserResponse } from './browser.js';

const inputs = fuzzInputs(import.meta.url);

describe('the SQL Server browser parser fuzzing', () => {
  it('parseBrowserResponse never throws, stays bounded', () => {
    fc.assert(
      fc.property(inputs, (buf) => bounded(buf, () => parseBrowserResponse(buf), 4, 300)),
      { numRuns: 5000 },
    );
  });

  it('survives hostile text: many instances, separators only, huge values', () => {
    const text = fc
      .array(
        fc.constantFrom(
          ';',
          ';;',
          'ServerName;',
          'InstanceName;',
          'IsClustered;No;',
          'Version;1;',
          'tcp;1;',
          'np;x;',
          'bv;a;',
          'x',
        ),
        {
          maxLength: 400,
        },
      )
      .map((parts) => buildBrowserResponse(parts.join('')));
    fc.assert(
      fc.property(text, (buf) => bounded(buf, () => parseBrowserResponse(buf), 4, 300)),
      { numRuns: 3000 },
    );
  });
});
