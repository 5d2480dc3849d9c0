import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { INTERNAL_CREDENTIALS_PATH, WORKER_ID_HEADER } from '@fleetqry/contracts';

import { CredentialClient } from './credential-client.js';

/**
 * The client's caching and errors against an HTTP server of this test on 127.0.0.1 that keeps the
 * controller's `GET /internal/credentials/:id` contract; the route itself (grants, audit) is the
 * controller's, tested there, and the two together in the distributed e2e.
 */
const TOKEN = 'w'.repeat(40);
const RUN = '00000000-0000-4000-8000-00000000000a';
const ID = '3f1c2b9e-8d4a-4c1e-9b2a-1a2b3c4d5e6f';

interface Seen {
  url: string;
  authorization?: string;
  worker?: string;
}

async function controller(answer: (id: string, n: number) => { status: number; body?: unknown }) {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    seen.push({
      url: req.url ?? '',
      authorization: req.headers.authorization,
      worker: req.headers[WORKER_ID_HEADER] as string | undefined,
    });
    const id = decodeURIComponent((req.url ?? '').split('?')[0]!.split('/').pop()!);
    const { status, body } = answer(id, seen.length);
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(body === undefined ? '' : JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const community = (id: string) => ({
  status: 200,
  body: { kind: 'snmp-community', secret: `s-${id}`, principal: null },
});

describe('CredentialClient', () => {
  it('asks with the worker token, its id and the chunk, and keeps a run’s answers for its next chunk', async () => {
    const ctl = await controller(community);
    try {
      const client = new CredentialClient(ctl.url, TOKEN, 'pod-1/42');
      const first = await client.open({ runId: RUN, chunkIndex: 3 }, [ID, 'a/b']);
      expect(first.map((c) => c.secret)).toEqual([`s-${ID}`, 's-a/b']);
      expect(ctl.seen[0]).toEqual({
        url: `${INTERNAL_CREDENTIALS_PATH}/${ID}?run=${RUN}&chunk=3`,
        authorization: `Bearer ${TOKEN}`,
        worker: 'pod-1/42',
      });
      expect(ctl.seen[1]!.url).toMatch(/^\/internal\/credentials\/a%2Fb\?/); // an id is one path segment
      // The next chunk of the same run: no request.
      await client.open({ runId: RUN, chunkIndex: 4 }, [ID]);
      expect(ctl.seen).toHaveLength(2);
      // Another run asks again; so does this run once forgotten.
      await client.open({ runId: RUN.replace(/a$/, 'b'), chunkIndex: 0 }, [ID]);
      client.forgetRun(RUN);
      await client.open({ runId: RUN, chunkIndex: 5 }, [ID]);
      expect(ctl.seen).toHaveLength(4);
    } finally {
      await ctl.close();
    }
  });

  it('keeps the eight most recently used runs', async () => {
    const ctl = await controller(community);
    try {
      const client = new CredentialClient(ctl.url, TOKEN, 'w');
      const run = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      for (let n = 0; n < 8; n++) await client.open({ runId: run(n), chunkIndex: 0 }, [ID]);
      await client.open({ runId: run(0), chunkIndex: 1 }, [ID]); // run 0 used again: now the newest
      await client.open({ runId: run(8), chunkIndex: 0 }, [ID]); // a ninth run: run 1 goes
      expect(ctl.seen).toHaveLength(9);
      await client.open({ runId: run(0), chunkIndex: 2 }, [ID]);
      expect(ctl.seen).toHaveLength(9);
      await client.open({ runId: run(1), chunkIndex: 1 }, [ID]);
      expect(ctl.seen).toHaveLength(10);
    } finally {
      await ctl.close();
    }
  });

  it('does not keep a failure: the retry asks again; errors name the id and status, never the token', async () => {
    const ctl = await controller((id, n) => (n === 1 ? { status: 404 } : community(id)));
    try {
      const client = new CredentialClient(ctl.url, TOKEN, 'w');
      const failed = await client.open({ runId: RUN, chunkIndex: 0 }, [ID]).catch((e: Error) => e);
      expect(failed).toEqual(new Error(`credential ${ID}: controller answered HTTP 404`));
      expect(String(failed)).not.toContain(TOKEN);
      expect((await client.open({ runId: RUN, chunkIndex: 0 }, [ID]))[0]!.secret).toBe(`s-${ID}`);
      expect(ctl.seen).toHaveLength(2);
    } finally {
      await ctl.close();
    }
  });

  it('refuses an answer that is not a credential, and says when the controller cannot be reached', async () => {
    const ctl = await controller(() => ({ status: 200, body: { secret: 'x', extra: true } }));
    const client = new CredentialClient(ctl.url, TOKEN, 'w');
    try {
      await expect(client.open({ runId: RUN, chunkIndex: 0 }, [ID])).rejects.toThrow(
        `credential ${ID}: unexpected answer from the controller`,
      );
    } finally {
      await ctl.close();
    }
    await expect(client.open({ runId: RUN, chunkIndex: 1 }, [ID])).rejects.toThrow(
      `credential ${ID}: controller unreachable (TypeError)`,
    );
  });
});
