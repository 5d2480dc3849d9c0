import { createServer, Socket, type Server } from 'node:net';

import { EnvConfigError } from '@fleetqry/contracts';

import { recordingLogger, testWorkerConfig, until } from '../testing/worker-test-env.js';
import { HealthServer } from './health-server.js';
import { WorkerMetrics } from './worker-metrics.js';

/** The worker's HTTP surface on loopback, its readiness from the machine's Redis (or a proxy to it). */
const REDIS_PORT = 6379;

function healthServer(env: Record<string, string> = {}) {
  const { logger, messages } = recordingLogger();
  return { server: new HealthServer(testWorkerConfig(env), new WorkerMetrics(), logger), messages };
}

/** The port the server logged it listens on. */
const listeningPort = (messages: string[]) =>
  Number(/health and metrics listening on port (\d+)/.exec(messages.join('\n'))?.[1]);

async function get(port: number, path: string, method = 'GET') {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

/** A TCP relay to Redis that can be cut (sockets destroyed, port closed) and restored on the same port. */
class RedisRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(REDIS_PORT, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s)).on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((r) => this.server!.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe('HealthServer', () => {
  describe('with Redis up', () => {
    const { server, messages } = healthServer();
    let port: number;
    beforeAll(async () => {
      await server.onApplicationBootstrap();
      port = listeningPort(messages);
    });
    afterAll(() => server.onApplicationShutdown());

    it('answers liveness, and readiness (under both names) from a Redis ping', async () => {
      expect(await get(port, '/health/live')).toEqual({
        status: 200,
        type: 'application/json',
        body: '{"status":"ok"}',
      });
      for (const path of ['/health/ready', '/health'])
        expect(JSON.parse((await get(port, path)).body)).toEqual({ status: 'ok', redis: 'up' });
    });

    it('serves Prometheus metrics in the text format', async () => {
      const res = await get(port, '/metrics');
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.body).toMatch(/^fleetqry_build_info\{app="worker",version="[^"]+"\} 1$/m);
    });

    it('ignores a query string, refuses other methods and answers nothing else', async () => {
      expect((await get(port, '/health/live?probe=k8s')).status).toBe(200);
      expect(await get(port, '/health/live', 'POST')).toMatchObject({
        status: 405,
        body: 'method not allowed\n',
      });
      expect(await get(port, '/jobs')).toMatchObject({ status: 404, body: 'not found\n' });
    });
  });

  it('is not ready while Redis is unreachable, ready again once it is back, and live throughout', async () => {
    const relay = new RedisRelay();
    await relay.open();
    const { server, messages } = healthServer({ REDIS_URL: `redis://127.0.0.1:${relay.port}` });
    await server.onApplicationBootstrap();
    const port = listeningPort(messages);
    try {
      const ready = async () => (await get(port, '/health/ready')).status;
      await until('ready through the relay', async () => (await ready()) === 200);
      await relay.cut();
      const down = await get(port, '/health/ready');
      expect(down).toEqual({
        status: 503,
        type: 'application/json',
        body: '{"status":"unavailable","redis":"down"}',
      });
      expect((await get(port, '/health/live')).status).toBe(200);
      await relay.open();
      await until('ready again', async () => (await ready()) === 200);
    } finally {
      await server.onApplicationShutdown();
      await relay.cut();
    }
  });

  it('takes the next port of its range when one is in use', async () => {
    const held = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    const taken = (held.address() as { port: number }).port;
    const { server, messages } = healthServer({ FLEETQRY_WORKER_PORT: `${taken}-${taken + 20}` });
    try {
      await server.onApplicationBootstrap();
      expect(listeningPort(messages)).toBeGreaterThan(taken);
    } finally {
      await server.onApplicationShutdown();
      await new Promise<void>((r) => held.close(() => r()));
    }
  });

  it('names FLEETQRY_WORKER_PORT when every port of its range is in use', async () => {
    const held = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    const taken = (held.address() as { port: number }).port;
    const { server } = healthServer({ FLEETQRY_WORKER_PORT: String(taken) });
    try {
      const start = server.onApplicationBootstrap();
      await expect(start).rejects.toThrow(EnvConfigError);
      await expect(start).rejects.toThrow(`FLEETQRY_WORKER_PORT: port ${taken} is in use on 127.0.0.1`);
    } finally {
      await server.onApplicationShutdown();
      await new Promise<void>((r) => held.close(() => r()));
    }
  });

  it('names FLEETQRY_WORKER_HOST when the address cannot be bound', async () => {
    // TEST-NET-3: never an address of this machine, so bind fails with EADDRNOTAVAIL (no packet is sent).
    const { server } = healthServer({ FLEETQRY_WORKER_HOST: '203.0.113.7' });
    try {
      await expect(server.onApplicationBootstrap()).rejects.toThrow(
        /^FLEETQRY_WORKER_HOST\/FLEETQRY_WORKER_PORT: cannot listen on 203\.0\.113\.7:0 \(EADDRNOTAVAIL\)$/,
      );
    } finally {
      await server.onApplicationShutdown();
    }
  });

  it('stops answering once shut down', async () => {
    const { server, messages } = healthServer();
    await server.onApplicationBootstrap();
    const port = listeningPort(messages);
    await server.onApplicationShutdown();
    await expect(get(port, '/health/live')).rejects.toThrow();
  });
});
