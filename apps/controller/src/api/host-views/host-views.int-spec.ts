import { HostViewDetailSchema, HostViewPushResultSchema, type HostViewPushInput } from '@fleetqry/contracts';

import { startTestApp, type TestApp } from '../../testing/test-app.js';

/** The real controller in this process (testing/test-app.ts: fresh Postgres database, the machine's Redis). */
let app: TestApp;
let operator: string;
let viewer: string;

async function call(method: string, path: string, token: string | null, body?: unknown) {
  const res = await app.call(method, path, { token, body });
  return { status: res.status, body: res.body };
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
  app = await startTestApp();
  operator = (await call('POST', '/tokens', app.adminToken, { name: 'agent', role: 'operator' })).body.token;
  viewer = (await call('POST', '/tokens', app.adminToken, { name: 'reader', role: 'viewer' })).body.token;
}, 60_000);

afterAll(async () => {
  await app?.close();
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
