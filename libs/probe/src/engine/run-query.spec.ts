import { DEFAULT_COMMON_OPTIONS } from '../protocols/options.js';
import type { ProtocolPlugin } from '../protocols/plugin.js';
import { runQuery } from './run-query.js';

/** Blocks the event loop, as a loaded machine's scheduler does to a busy worker. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A plugin that ends at its window like the UDP session: on a timer, after one poll of its socket. */
const windowed: ProtocolPlugin = {
  name: 'windowed',
  ports: { udp: [9] },
  describe: () => [],
  query: (ctx) =>
    new Promise((resolve) => {
      setTimeout(
        () => setImmediate(() => resolve({ status: 'success', answered: true })),
        ctx.timeoutMs - 25,
      );
    }),
};

const ctx = {
  host: 'h',
  address: '127.0.0.1',
  port: 9,
  proto: 'udp' as const,
  timeoutMs: 100,
  options: DEFAULT_COMMON_OPTIONS,
};

describe('runQuery', () => {
  it('keeps a plugin result that was ready when a stall made both deadlines pass (late is not lost)', async () => {
    const outcome = runQuery(windowed, ctx);
    stall(ctx.timeoutMs + 500); // past the plugin's window and the backstop's grace
    await expect(outcome).resolves.toMatchObject({ status: 'success', answered: true });
  });

  it('lets a plugin whose window began late (a busy event loop delayed its first send) end it', async () => {
    const late: ProtocolPlugin = {
      ...windowed,
      query: (c) => new Promise((resolve) => setTimeout(() => void windowed.query(c).then(resolve), 400)),
    };
    await expect(runQuery(late, { ...ctx, timeoutMs: 1000 })).resolves.toMatchObject({ status: 'success' });
  });

  it('ends a plugin that never settles at the backstop', async () => {
    const hung: ProtocolPlugin = { ...windowed, query: () => new Promise(() => undefined) };
    await expect(runQuery(hung, ctx)).resolves.toMatchObject({ status: 'io-timeout', answered: false });
  });
});
