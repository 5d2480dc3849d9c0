import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { REPO_ROOT, tempPostgres } from '../dispatch/testing/distributed-harness.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

/**
 * A TCP relay between the controller and the machine's Postgres that the test can cut and restore: the
 * database becomes unreachable for this app only (the shared server is never touched).
 */
class Relay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    if (this.server?.listening) return;
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((r) => this.server?.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

const PG = new URL(
  process.env['FLEETQRY_TEST_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
);
const relay = new Relay({ host: PG.hostname, port: Number(PG.port || 5432) });
let app: TestApp;

beforeAll(async () => {
  await relay.open();
  app = await startTestApp(
    {},
    {
      viaDatabaseUrl: (url) => {
        const u = new URL(url);
        u.port = String(relay.port);
        return u.toString();
      },
    },
  );
}, 60_000);

afterAll(async () => {
  await relay.open(); // the app's pool must be able to close, the database to be dropped
  await app?.close();
  await relay.cut();
});

describe('health and database failure modes', () => {
  it('live and ready are separate; with Postgres cut, ready is 503 naming no host, port or driver text, the API 503', async () => {
    expect((await app.call('GET', '/health/live', { token: null })).body).toEqual({ status: 'ok' });
    const ready = await app.call('GET', '/health/ready', { token: null });
    expect([ready.status, ready.body]).toEqual([
      200,
      { status: 'ok', checks: { postgres: 'up', redis: 'up' } },
    ]);
    expect((await app.call('GET', '/inventories')).status).toBe(200);

    await relay.cut();
    const down = await app.call('GET', '/health/ready', { token: null });
    expect([down.status, down.body]).toEqual([
      503,
      { status: 'unavailable', checks: { postgres: 'down', redis: 'up' } },
    ]);
    for (const leak of [String(relay.port), '127.0.0.1', 'ECONNREFUSED', 'postgres://', 'connect'])
      expect(down.raw).not.toContain(leak);
    // The process is alive: liveness does not depend on the database.
    expect((await app.call('GET', '/health/live', { token: null })).status).toBe(200);
    // The API: 503 (retry later), not 500, and no driver text either.
    const api = await app.call('GET', '/inventories');
    expect(api.status).toBe(503);
    expect(api.raw).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|terminated/);

    await relay.open();
    const back = await app.call('GET', '/health/ready', { token: null });
    expect(back.status).toBe(200);
    expect((await app.call('GET', '/inventories')).status).toBe(200);
  }, 60_000);

  it('a controller started on an unmigrated database exits at once with 75, naming npm run db:migrate', async () => {
    const db = await tempPostgres();
    try {
      const started = Date.now();
      const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/controller/dist/main.js')], {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: db.url,
          REDIS_URL: 'redis://127.0.0.1:6379',
          FLEETQRY_CREDENTIAL_KEY: randomBytes(32).toString('base64'),
          FLEETQRY_JOB_KEY: randomBytes(32).toString('base64url'),
          FLEETQRY_QUEUE_PREFIX: `fqtest-unmigrated-${randomBytes(4).toString('hex')}`,
          FLEETQRY_PORT: String(20_000 + Math.floor(Math.random() * 20_000)), // never listened on
          FLEETQRY_HOST: '127.0.0.1',
          FLEETQRY_LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
        child.once('close', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect([code, stderr.trim()]).toEqual([
        75,
        expect.stringMatching(
          /^fleetqry controller: (start-up failed: )?the database is not migrated: \d+ migration\(s\) pending/,
        ),
      ]);
      expect(stderr).toContain('npm run db:migrate');
      expect(stderr).not.toContain(db.url);
      // "At once": no listening, no retry loop (well inside the 45 s guard even on a loaded machine).
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await db.drop();
    }
  }, 60_000);
});
