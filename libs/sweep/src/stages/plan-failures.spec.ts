import { nothingToProbeError } from './plan-failures.js';

const failure = (n: number) => ({
  given: `h${n}.example.test`,
  error: `cannot resolve "h${n}.example.test": no such name`,
});

describe('nothingToProbeError', () => {
  it('names every failure when there are few', () => {
    expect(nothingToProbeError([failure(1), failure(2)])).toBe(
      'no target could be probed (2 failed at plan time): cannot resolve "h1.example.test": no such name; ' +
        'cannot resolve "h2.example.test": no such name',
    );
  });

  it('names the first three and counts the rest (the run keeps them all)', () => {
    const message = nothingToProbeError([1, 2, 3, 4, 5].map(failure));
    expect(message).toMatch(/^no target could be probed \(5 failed at plan time\): /);
    expect(message).toContain('"h3.example.test"');
    expect(message).not.toContain('"h4.example.test"');
    expect(message).toMatch(/; and 2 more$/);
  });
});
