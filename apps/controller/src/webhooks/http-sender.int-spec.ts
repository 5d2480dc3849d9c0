import { DestinationAllowlist } from './destination-allowlist.js';
import { postWebhook } from './http-sender.js';
import { startReceiver, type Receiver } from './testing/receivers.js';

/**
 * The sender against a real HTTP server on this test's loopback address, with the name resolution
 * injected (no DNS is asked): the address is checked at every attempt, the connection goes to the checked
 * address with the URL's Host, and a name that starts resolving outside the allowlist is refused unsent.
 */
const allow = DestinationAllowlist.parse('127.115.1.0/24');
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver('127.115.1.7', (n) => ({ status: n === 1 ? 503 : 200 }));
});
afterAll(() => receiver.close());

it('checks the resolved address at each attempt and connects to that address', async () => {
  const port = new URL(receiver.url).port;
  const url = `http://hooks.fleetqry.test:${port}/hook?x=1`;
  let answer = ['127.115.1.7'];
  const resolve = async (host: string) => {
    expect(host).toBe('hooks.fleetqry.test');
    return answer;
  };
  const ok = await postWebhook(
    url,
    '{"a":1}',
    { 'content-type': 'application/json' },
    { allow, timeoutMs: 5000, resolve },
  );
  expect(ok).toEqual({ ok: true, status: 200, error: null });
  expect(receiver.requests[0]!.headers.host).toBe(`hooks.fleetqry.test:${port}`);
  expect(receiver.requests[0]!.raw.toString()).toBe('{"a":1}');

  const failed = await postWebhook(url, '{}', {}, { allow, timeoutMs: 5000, resolve });
  expect(failed).toEqual({ ok: false, status: 503, error: 'HTTP 503' });

  // The same name now resolves outside the allowlist (DNS rebinding): refused, nothing sent.
  answer = ['127.115.1.7', '169.254.169.254'];
  const refused = await postWebhook(url, '{}', {}, { allow, timeoutMs: 5000, resolve });
  expect(refused).toMatchObject({ ok: false, status: null, refused: true });
  expect(refused.error).toMatch(/169\.254\.169\.254/);
  expect(receiver.requests).toHaveLength(2);
});

it('reports an unreachable receiver and a literal outside the allowlist', async () => {
  const closed = await postWebhook('http://127.115.1.9:9/h', '{}', {}, { allow, timeoutMs: 2000 });
  expect(closed).toMatchObject({ ok: false, status: null });
  expect(closed.error).toMatch(/ECONNREFUSED/);
  const outside = await postWebhook('http://127.0.0.1:9/h', '{}', {}, { allow, timeoutMs: 2000 });
  expect(outside).toMatchObject({
    ok: false,
    refused: true,
    error: '127.0.0.1 is not in FLEETQRY_WEBHOOK_ALLOW',
  });
});
