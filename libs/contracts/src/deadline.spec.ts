import { withTimeout } from './deadline.js';

describe('withTimeout', () => {
  it('passes on what the work settles with in time, value or error', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('refused')), 1000)).rejects.toThrow('refused');
  });

  it('rejects once the time is up, with the caller’s error or a plain one', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 10)).rejects.toThrow('no answer within 10 ms');
    class Unavailable extends Error {}
    await expect(withTimeout(never, 10, () => new Unavailable('queue down'))).rejects.toBeInstanceOf(
      Unavailable,
    );
  });

  it('leaves no timer behind when the work wins', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await withTimeout(Promise.resolve(1), 60_000);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  });
});
