import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';

import { jest } from '@jest/globals';
import { HostViewPushSchema, type HostViewPush } from '@fleetqry/contracts';

import { main } from '../main.js';
import { runAgent } from './run-agent.js';

/**
 * `fleetqry agent` against what a real controller never does: an in-test HTTP server on 127.0.0.1 that keeps
 * the `POST /host-views` contract (the request validated with the contracts' HostViewPushSchema, the answer
 * shaped as HostViewPushResultSchema) but answers 5xx, goes away, redirects or answers something that is not
 * a host view; and usage errors. Pushes to the real controller (auth, roles, the stored view) are
 * apps/controller's e2e/agent.int-spec. Everything stays on 127.0.0.0/8.
 */
const TOKEN = 'fq_agent-test-token-0123456789abcdefghijklmnopqrstuvwxyz';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  raw: string;
  body: HostViewPush | undefined;
}

type Responder = (
  req: Received,
  n: number,
) => { status: number; body?: unknown; headers?: Record<string, string> };

const accepted = (r: Received) => {
  const b = r.body!;
  return {
    status: 201,
    body: {
      id: '3f1c2b9e-8d4a-4c1e-9b2a-1a2b3c4d5e6f',
      hostname: b.hostname.toLowerCase(),
      addresses: b.addresses,
      takenAt: b.takenAt,
      receivedAt: new Date().toISOString(),
      reportedBy: 'token:agent (fq_agent-te…)',
      listeners: b.sockets.length,
      problems: b.problems,
      agentVersion: b.agentVersion ?? null,
      stored: true,
    },
  };
};

async function controller(
  respond: Responder,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: HttpServer = createHttpServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const parsed =
        req.method === 'POST' ? HostViewPushSchema.safeParse(JSON.parse(raw || 'null')) : undefined;
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        raw,
        body: parsed?.success ? parsed.data : undefined,
      };
      received.push(r);
      let answer: ReturnType<Responder>;
      if (req.method !== 'POST' || req.url !== '/host-views')
        answer = { status: 404, body: { message: 'no route' } };
      else if (r.authorization !== `Bearer ${TOKEN}`)
        answer = { status: 401, body: { statusCode: 401, message: 'a valid API token is required' } };
      else if (!parsed?.success)
        answer = {
          status: 400,
          body: { statusCode: 400, message: `invalid body: ${parsed?.error.message}` },
        };
      else answer = respond(r, received.length);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

async function runMain(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    const code = await main(args);
    return { code, stderr };
  } finally {
    spy.mockRestore();
    process.exitCode = undefined;
  }
}

const fast = { retries: 3, backoffMs: 5, maxBackoffMs: 20, timeoutMs: 5000 };

describe('fleetqry agent against a misbehaving server, and usage errors', () => {
  it('retries 503 with backoff, then succeeds; gives up after the bounded retries with --once', async () => {
    const flaky = await controller((r, n) =>
      n <= 2 ? { status: 503, body: { message: 'busy' } } : accepted(r),
    );
    const lines: string[] = [];
    try {
      const code = await runAgent({
        server: flaky.url,
        token: TOKEN,
        intervalSeconds: 300,
        once: true,
        log: (l) => lines.push(l),
        push: fast,
      });
      expect(code).toBe(0);
      expect(flaky.received).toHaveLength(3);
      expect(lines.filter((l) => l.startsWith('push failed: 503 busy; retry'))).toHaveLength(2);
    } finally {
      await flaky.close();
    }

    const down = await controller(() => ({ status: 502, body: { message: 'bad gateway' } }));
    lines.length = 0;
    try {
      const code = await runAgent({
        server: down.url,
        token: TOKEN,
        intervalSeconds: 300,
        once: true,
        log: (l) => lines.push(l),
        push: fast,
      });
      expect(code).toBe(70);
      expect(down.received).toHaveLength(4);
      expect(lines.at(-1)).toBe('502 bad gateway (gave up after 4 attempts)');
    } finally {
      await down.close();
    }

    // nothing listens: a connection error, retried, then a clear line
    const gone = await controller(accepted);
    await gone.close();
    lines.length = 0;
    const code = await runAgent({
      server: gone.url,
      token: TOKEN,
      intervalSeconds: 300,
      once: true,
      log: (l) => lines.push(l),
      push: fast,
    });
    expect(code).toBe(70);
    expect(lines.at(-1)).toMatch(
      /^cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED \(gave up after 4 attempts\)$/,
    );
  });

  it('rejects an answer that is not a stored host view, and does not follow redirects', async () => {
    const wrong = await controller(() => ({ status: 200, body: { ok: true } }));
    const lines: string[] = [];
    try {
      const code = await runAgent({
        server: wrong.url,
        token: TOKEN,
        intervalSeconds: 300,
        once: true,
        log: (l) => lines.push(l),
        push: fast,
      });
      expect(code).toBe(70);
      expect(lines.at(-1)).toMatch(
        /^the server's answer is not a host view \(id: .*\); is --server a fleetqry controller\?$/,
      );
    } finally {
      await wrong.close();
    }

    const elsewhere = await controller(accepted);
    const redirecting = await controller(() => ({
      status: 307,
      headers: { location: `${elsewhere.url}/host-views` },
    }));
    lines.length = 0;
    try {
      const code = await runAgent({
        server: redirecting.url,
        token: TOKEN,
        intervalSeconds: 300,
        once: true,
        log: (l) => lines.push(l),
        push: fast,
      });
      expect(code).toBe(70);
      expect(lines.at(-1)).toContain('answered 307 (redirect to');
      expect(elsewhere.received).toHaveLength(0);
    } finally {
      await redirecting.close();
      await elsewhere.close();
    }
  });

  it('usage errors: no token, a bad --server, a bad --interval or --address', async () => {
    const saved = process.env['FLEETQRY_TOKEN'];
    delete process.env['FLEETQRY_TOKEN'];
    try {
      expect(await runMain(['agent', '--server', 'http://127.0.0.1:1', '--once'])).toEqual({
        code: 64,
        stderr: 'fleetqry: agent: --token: an API token is required (or $FLEETQRY_TOKEN)\n',
      });
    } finally {
      if (saved !== undefined) process.env['FLEETQRY_TOKEN'] = saved;
    }
    expect(
      (await runMain(['agent', '--server', 'http://u:p@127.0.0.1:1', '--token', TOKEN, '--once'])).code,
    ).toBe(64);
    expect(
      (await runMain(['agent', '--server', 'http://127.0.0.1:1', '--token', TOKEN, '--interval', '0'])).code,
    ).toBe(64);
    expect(
      (await runMain(['agent', '--server', 'http://127.0.0.1:1', '--token', TOKEN, '--address', 'nope']))
        .code,
    ).toBe(64);
  });
});
