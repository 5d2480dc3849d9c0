import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { HostViewDetailSchema, HostViewPushResultSchema, type HostViewPushInput } from '@fleetqry/contracts';
import { createStore, type Store } from '@fleetqry/store';
import pg from 'pg';

import { AppModule } from '../../app.module.js';
import { configureApp } from '../../app.setup.js';
import { loadConfig } from '../../config/env.schema.js';
import { loadDispatchConfig } from '../../dispatch/dispatch-config.js';
import { HostViewsModule } from './host-views.module.js';

/**
 * The real controller in this process (fresh Postgres database, the machine's Redis under a unique prefix,
 * configureApp as main.ts) with HostViewsModule imported next to AppModule, as app.module.ts will once it is
 * wired. Everything on 127.0.0.1.
 */
const PG_ADMIN_URL =
  process.env['FLEETQRY_TEST_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const dbName = `fleetqry_hv_${randomBytes(6).toString('hex')}`;
let app: NestExpressApplication;
let url: string;
let store: Store;
const adminToken = `fq_${randomBytes(32).toString('base64url')}`;
let operator: string;
let viewer: string;

async function call(method: string, path: string, token: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();

  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const T1 = ago(60);
const T2 = ago(30);
const T0 = ago(120);

const view = (over: Partial<HostViewPushInput> = {}): HostViewPushInput => ({
  hostname: 'web-1',
  addresses: ['127.30.0.21', '::1'],
  takenAt: T1,
  sockets: [
    {
      proto: 'tcp',
      family: 'ipv4',
      localAddress: '0.0.0.0',
      localPort: 22,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      state: 'LISTENING',
      inode: 4242,
      pid: 4242,
      process: 'python3',
      unit: 'backdoor.service',
    },
    {
      proto: 'udp',
      family: 'ipv4',
      localAddress: '0.0.0.0',
      localPort: 161,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      state: null,
      inode: 77,
      pid: 77,
      process: 'snmpd',
      unit: 'snmpd.service',
    },
  ],
  problems: [],
  agentVersion: '0.1.0',
  ...over,
});

beforeAll(async () => {
  await admin(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(PG_ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const migrator = await createStore({ databaseUrl: dbUrl.toString(), migrate: true });
  await migrator.close();
  const config = loadConfig({
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: 'redis://127.0.0.1:6379',
    FLEETQRY_ADMIN_TOKEN: adminToken,
    FLEETQRY_WORKER_TOKEN: randomBytes(32).toString('hex'),
    FLEETQRY_CREDENTIAL_KEY: randomBytes(32).toString('base64'),
    FLEETQRY_JOB_KEY: randomBytes(32).toString('base64url'),
    FLEETQRY_QUEUE_PREFIX: `fqtest-${randomBytes(4).toString('hex')}`,
    FLEETQRY_LOG_LEVEL: 'silent',
  });
  const dispatch = loadDispatchConfig({
    REDIS_URL: config.redisUrl,
    FLEETQRY_QUEUE_PREFIX: config.queuePrefix,
  });
  @Module({ imports: [AppModule.register(config, { dispatch }), HostViewsModule] })
  class WithHostViews {}
  app = await NestFactory.create<NestExpressApplication>(WithHostViews, { logger: false });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  store = await createStore({ databaseUrl: dbUrl.toString(), poolSize: 2 });
  operator = (await call('POST', '/tokens', adminToken, { name: 'agent', role: 'operator' })).body.token;
  viewer = (await call('POST', '/tokens', adminToken, { name: 'reader', role: 'viewer' })).body.token;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
});

describe('POST/GET /host-views on the real controller', () => {
  it('refuses no token (401) and a viewer (403); an operator stores the view', async () => {
    expect((await call('POST', '/host-views', null, view())).status).toBe(401);
    expect((await call('POST', '/host-views', viewer, view())).status).toBe(403);
    const res = await call('POST', '/host-views', operator, view());
    expect(res.status).toBe(201);
    const answer = HostViewPushResultSchema.parse(res.body);
    expect(answer).toMatchObject({
      hostname: 'web-1',
      listeners: 2,
      stored: true,
      addresses: ['127.30.0.21', '::1'],
    });
    expect(answer.reportedBy).toMatch(/^token:agent \(/);
  });

  it('validates the body with the contracts schema, naming the field', async () => {
    const established = view({
      sockets: [
        { ...view().sockets[0]!, state: 'ESTABLISHED', remoteAddress: '127.0.0.1', remotePort: 5555 },
      ],
    });
    const res = await call('POST', '/host-views', operator, established);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('sockets[0].state: only listeners');
    expect(
      (await call('POST', '/host-views', operator, { ...view(), addresses: ['not-an-ip'] })).status,
    ).toBe(400);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await call('POST', '/host-views', operator, view({ takenAt: future }))).body.message).toContain(
      'takenAt: is more than 10 minutes in the future',
    );
  });

  it('keeps the latest view per host: an older push is not stored; viewers list and read it', async () => {
    const newer = await call(
      'POST',
      '/host-views',
      operator,
      view({ takenAt: T2, sockets: [view().sockets[0]!] }),
    );
    expect(newer.body).toMatchObject({ stored: true, listeners: 1 });
    const older = await call('POST', '/host-views', operator, view({ takenAt: T0 }));
    expect(older.body).toMatchObject({ stored: false, listeners: 1, takenAt: T2 });

    const list = await call('GET', '/host-views?address=127.30.0.21', viewer);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, items: [{ hostname: 'web-1', listeners: 1 }] });
    expect(list.body.items[0].sockets).toBeUndefined();
    expect((await call('GET', '/host-views?address=10.9.9.9', viewer)).body.total).toBe(0);
    const detail = await call('GET', `/host-views/${list.body.items[0].id}`, viewer);
    expect(HostViewDetailSchema.parse(detail.body).sockets).toHaveLength(1);
  });
});
