import { nothingToProbeError, probingFailures } from './plan-failures.js';

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

describe('probingFailures', () => {
  const planFailures = [failure(1), failure(2)];

  it('drops the failures of names the plan could not resolve: the run stores those', () => {
    const probed = [
      { given: 'h1.example.test', host: 'h1.example.test', error: 'cannot resolve' },
      { given: 'h3.example.test', host: 'h3.example.test', error: 'cannot resolve' },
    ];
    expect(probingFailures(probed, planFailures)).toEqual([probed[1]]);
  });

  it('keeps a failure at an address, even of a name the plan also lists', () => {
    const atAddress = {
      given: 'h2.example.test',
      host: 'h2.example.test',
      address: '127.0.0.2',
      error: 'refused',
    };
    const literal = { given: '127.0.0.3', host: '127.0.0.3', address: '127.0.0.3', error: 'no route' };
    expect(probingFailures([atAddress, literal], planFailures)).toEqual([atAddress, literal]);
    expect(probingFailures([literal], [])).toEqual([literal]);
  });
});
