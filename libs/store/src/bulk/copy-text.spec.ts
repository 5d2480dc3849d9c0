import { copyLine, multirange, parseMultirange, textArray } from './copy-text.js';

describe('COPY text format', () => {
  it('escapes what the format reserves and writes null as \\N', () => {
    expect(copyLine(['a\tb', 'c\nd', 'e\\f', 'g\rh', null, undefined, 42, true])).toBe(
      'a\\tb\tc\\nd\te\\\\f\tg\\rh\t\\N\t\\N\t42\ttrue\n',
    );
  });

  it('writes objects as JSON and dates as ISO text', () => {
    expect(copyLine([{ banner: 'x\ty' }, new Date('2026-12-06T01:02:03.004Z')])).toBe(
      '{"banner":"x\\\\ty"}\t2026-12-06T01:02:03.004Z\n',
    );
  });

  it('quotes text[] elements', () => {
    expect(textArray([])).toBe('{}');
    expect(textArray(['a', 'b"c', 'd\\e', 'f,g'])).toBe('{"a","b\\"c","d\\\\e","f,g"}');
  });

  it('round-trips port ranges through int4multirange text', () => {
    expect(multirange([])).toBe('{}');
    expect(
      multirange([
        [1, 16],
        [20, 20],
      ]),
    ).toBe('{[1,17),[20,21)}');
    expect(parseMultirange('{[1,17),[20,21)}')).toEqual([
      [1, 16],
      [20, 20],
    ]);
    expect(parseMultirange('{}')).toEqual([]);
    // Inclusive or exclusive bounds, however the server prints them.
    expect(parseMultirange('{[5,7],(9,12)}')).toEqual([
      [5, 7],
      [10, 11],
    ]);
  });
});
