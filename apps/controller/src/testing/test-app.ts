import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createStore, type Store } from '@fleetqry/store';
import pg from 'pg';

import { AppModule } from '../app.module.js';
import { configureApp } from '../app.setup.js';
import { loadConfig, type AppConfig } from '../config/env.schema.js';
import { loadDispatchConfig } from '../dispatch/dispatch-config.js';
import { loadWebhooksConfig } from '../webhooks/webhooks-config.js';

/** Where tests may create databases (trust auth on the dev/CI machines), as libs/store's tests use. */
const PG_ADMIN_URL =
  process.env['FLEETQRY_TEST_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh database per test file, dropped afterwards. */
async function createTempPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `fleetqry_ctl_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert response bodies field by field
export type Body = any;

export interface TestApp {
  url: string;
  adminToken: string;
  workerToken: string;
  config: AppConfig;
  /** The application itself, to reach its providers. */
  nest: NestExpressApplication;
  /** A second handle on the same database, to look behind the API (ciphertext, audit rows). */
  store: Store;
  /** `fetch` against the app with a bearer token (or none). */
  call(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown; text?: string; contentType?: string },
  ): Promise<{ status: number; body: Body; raw: string; headers: Headers }>;
  close(): Promise<void>;
}

const randomToken = () => `fq_${randomBytes(32).toString('base64url')}`;

/**
 * The real controller in this process: a fresh Postgres database per test file (migrated like a deploy),
 * the machine's Redis under a unique queue prefix, the same configureApp as main.ts, listening on a free port.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  /** `viaDatabaseUrl`: the URL the app connects with, from the test database's (e.g. through a proxy). */
  opts: { viaDatabaseUrl?: (url: string) => string } = {},
): Promise<TestApp> {
  const db = await createTempPostgres();
  const migrator = await createStore({ databaseUrl: db.url, migrate: true });
  await migrator.close();
  const adminToken = randomToken();
  const workerToken = randomBytes(32).toString('hex');
  const config = loadConfig({
    DATABASE_URL: opts.viaDatabaseUrl ? opts.viaDatabaseUrl(db.url) : db.url,
    REDIS_URL: 'redis://127.0.0.1:6379',
    FLEETQRY_ADMIN_TOKEN: adminToken,
    FLEETQRY_WORKER_TOKEN: workerToken,
    FLEETQRY_CREDENTIAL_KEY: randomBytes(32).toString('base64'),
    FLEETQRY_JOB_KEY: randomBytes(32).toString('base64url'),
    FLEETQRY_QUEUE_PREFIX: `fqtest-${randomBytes(4).toString('hex')}`,
    FLEETQRY_LOG_LEVEL: 'silent',
    ...env,
  });
  // The dispatch module's own variables from `env` (Redis and the queue prefix come from the app's, as in production).
  const dispatch = loadDispatchConfig(config, env);
  const webhooks = loadWebhooksConfig(env);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config, { dispatch, webhooks }),
    { logger: false },
  );
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const store = await createStore({ databaseUrl: db.url, poolSize: 2 });
  return {
    url,
    adminToken,
    workerToken,
    config,
    nest: app,
    store,
    async call(method, path, opts = {}) {
      const token = opts.token === undefined ? adminToken : opts.token;
      const headers: Record<string, string> = {};
      if (token) headers['authorization'] = `Bearer ${token}`;
      let body: string | undefined;
      if (opts.text !== undefined) {
        body = opts.text;
        headers['content-type'] = opts.contentType ?? 'text/plain';
      } else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const raw = await res.text();
      let parsed: unknown = raw;
      try {
        parsed = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed as Body, raw, headers: res.headers };
    },
    async close() {
      await app.close();
      await store.close();
      await db.drop();
    },
  };
}
