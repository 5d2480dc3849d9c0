import { QUEUES } from '@fleetqry/contracts';
import { ensureApiToken, listAudit } from '@fleetqry/store';

import { AuditService } from '../auth/audit.service.js';
import { BOOTSTRAP_ADMIN_NAME } from '../auth/bootstrap-admin.service.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const SECRET = 'Zq-test-community-7731';

/** Roles, refusals and their audit trail, write-only credentials, and the public endpoints. */
describe('controller security', () => {
  let app: TestApp;
  let viewer: string;
  let operator: string;

  beforeAll(async () => {
    app = await startTestApp();
    viewer = (await app.call('POST', '/tokens', { body: { name: 'viewer-1', role: 'viewer' } })).body.token;
    operator = (await app.call('POST', '/tokens', { body: { name: 'operator-1', role: 'operator' } })).body
      .token;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const denied = async (action: RegExp) =>
    (await listAudit(app.store.prisma, { outcome: 'denied', limit: 1000 })).filter((a) =>
      action.test(a.action),
    );

  it('401 without a token, with an unknown token, and with a revoked one; each audited', async () => {
    expect((await app.call('GET', '/inventories', { token: null })).status).toBe(401);
    expect(
      (await app.call('GET', '/inventories', { token: 'fq_made-up-token-000000000000000000000000' })).status,
    ).toBe(401);
    const t = await app.call('POST', '/tokens', { body: { name: 'short-lived', role: 'operator' } });
    expect((await app.call('GET', '/inventories', { token: t.body.token })).status).toBe(200);
    await app.call('DELETE', `/tokens/${t.body.info.id}`);
    const r = await app.call('GET', '/inventories', { token: t.body.token });
    expect(r.status).toBe(401);
    const rows = await denied(/^GET \/inventories$/);
    expect(rows.map((a) => a.actor)).toEqual(
      expect.arrayContaining([
        'anonymous',
        expect.stringMatching(/^unknown-token \(fq_made-up/),
        expect.stringMatching(/^unknown-token \(fq_/),
      ]),
    );
    expect(rows.every((a) => a.ip && /127\.0\.0\.1/.test(a.ip))).toBe(true);
    // No audit row carries a token.
    expect(
      JSON.stringify(
        (await listAudit(app.store.prisma, { limit: 1000 })).map((a) => ({ ...a, id: String(a.id) })),
      ),
    ).not.toContain(t.body.token);
  });

  it('a viewer reads results but cannot change scans or inventories, nor read credentials: 403, audited', async () => {
    expect((await app.call('GET', '/inventories', { token: viewer })).status).toBe(200);
    expect((await app.call('GET', '/findings', { token: viewer })).status).toBe(404); // no run yet: allowed, empty
    const run = await app.call('POST', '/runs', {
      token: viewer,
      body: { scanDefinitionId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(run.status).toBe(403);
    const post = await app.call('POST', '/scan-definitions', { token: viewer, body: { name: 'v' } });
    expect(post.status).toBe(403);
    expect(post.body.message).toMatch(/operator/);
    expect((await app.call('POST', '/inventories', { token: viewer, body: {} })).status).toBe(403);
    expect((await app.call('GET', '/credentials', { token: viewer })).status).toBe(403);
    const c = await app.call('POST', '/credentials', {
      body: { kind: 'snmp-community', name: 'x', secret: SECRET },
    });
    expect((await app.call('GET', `/credentials/${c.body.id}`, { token: viewer })).status).toBe(403);
    expect((await app.call('GET', `/internal/credentials/${c.body.id}`, { token: viewer })).status).toBe(401);

    const rows = await denied(/credentials|scan-definitions|runs/);
    const byViewer = rows.filter((a) => a.actor.startsWith('token:viewer-1'));
    expect(byViewer.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'POST /runs',
        'POST /scan-definitions',
        'GET /credentials',
        'GET /credentials/:id',
      ]),
    );
    for (const a of byViewer) {
      expect(a.ip).toMatch(/127\.0\.0\.1/);
      expect(a.details).toMatchObject({ status: 403, role: 'viewer' });
    }
  });

  it('routes without @Roles are admin-only: an operator gets 403 on tokens, credentials, policies, scope changes', async () => {
    for (const [method, path] of [
      ['GET', '/tokens'],
      ['POST', '/credentials'],
      ['POST', '/policies'],
      ['POST', '/scope/rules'],
      ['GET', '/audit'],
    ] as const) {
      expect([
        method,
        path,
        (await app.call(method, path, { token: operator, ...(method === 'GET' ? {} : { body: {} }) })).status,
      ]).toEqual([method, path, 403]);
    }
    expect(
      (await app.call('POST', '/scan-definitions', { token: operator, body: { name: 'op-scan' } })).status,
    ).toBe(201);
  });

  it('audits every change with who and from where, never the body', async () => {
    const inv = await app.call('POST', '/inventories', {
      token: operator,
      body: { name: 'audited', document: { targets: ['127.0.0.1'], ports: { tcp: '22' } } },
    });
    const c = await app.call('POST', '/credentials', {
      body: { kind: 'snmp-community', name: 'audited-cred', secret: SECRET },
    });
    const log = await app.call('GET', '/audit?outcome=allowed');
    expect(log.status).toBe(200);
    expect(log.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'POST /inventories',
          target: inv.body.id,
          actor: expect.stringMatching(/^token:operator-1/),
          ip: expect.stringMatching(/127\.0\.0\.1/),
        }),
        expect.objectContaining({
          action: 'POST /credentials',
          target: c.body.id,
          actor: expect.stringMatching(/^token:bootstrap-admin/),
        }),
      ]),
    );
    expect(log.raw).not.toContain(SECRET);
  });

  it('credentials: no response ever contains the secret, Postgres holds ciphertext, workers read it with their token', async () => {
    const c = await app.call('POST', '/credentials', {
      body: { kind: 'ldap-bind', name: 'ldap', secret: SECRET, principal: 'cn=reader,dc=lab' },
    });
    expect(c.status).toBe(201);
    for (const r of [
      c,
      await app.call('GET', '/credentials'),
      await app.call('GET', `/credentials/${c.body.id}`),
    ]) {
      expect(r.raw).not.toContain(SECRET);
      expect(r.raw).not.toMatch(/ciphertext|authTag|"iv"/);
    }
    const rows = await app.store.prisma.$queryRawUnsafe<Array<{ ciphertext: Uint8Array; row: string }>>(
      'SELECT ciphertext, row_to_json(c)::text AS row FROM credentials c WHERE id = $1::uuid',
      c.body.id,
    );
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]!.ciphertext).includes(Buffer.from(SECRET))).toBe(false);
    expect(rows[0]!.row).not.toContain(SECRET);

    // The internal route: worker token only, constant-time compared, audited; and only for planned work
    // (trust-boundaries.int-spec.ts): a worker naming no chunk gets nothing.
    expect((await app.call('GET', `/internal/credentials/${c.body.id}`, { token: null })).status).toBe(401);
    expect(
      (await app.call('GET', `/internal/credentials/${c.body.id}`, { token: app.adminToken })).status,
    ).toBe(401);
    const bare = await app.call('GET', `/internal/credentials/${c.body.id}`, { token: app.workerToken });
    expect(bare.status).toBe(400);
    expect(bare.raw).not.toContain(SECRET);
    const audit = await listAudit(app.store.prisma, { actor: 'worker', limit: 100 });
    expect(audit.map((a) => [a.action, a.outcome])).toEqual(
      expect.arrayContaining([['GET /internal/credentials/:id', 'denied']]),
    );
    expect(JSON.stringify(audit.map((a) => ({ ...a, id: String(a.id) })))).not.toContain(SECRET);
  });

  it('serves the OpenAPI document at /docs-json listing the routes, with zod-derived schemas', async () => {
    const doc = await app.call('GET', '/docs-json', { token: null });
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/inventories',
        '/inventories/{id}',
        '/inventories/import',
        '/scope/rules',
        '/credentials',
        '/credentials/{id}',
        '/policies',
        '/service-groups',
        '/scan-definitions',
        '/scan-definitions/{id}',
        '/findings',
        '/reports/{run}',
        '/delta',
        '/waivers',
        '/tokens',
        '/health',
      ]),
    );
    expect(paths.some((p) => p.startsWith('/internal'))).toBe(false);
    // One body per credential kind: a secret-bearing one, and the SNMPv3 user with its protocols and keys.
    const body = doc.body.paths['/credentials'].post.requestBody.content['application/json'].schema;
    expect(body.oneOf.map((v: { required: string[] }) => v.required)).toEqual([
      expect.arrayContaining(['kind', 'name', 'secret']),
      expect.arrayContaining(['kind', 'name', 'user']),
    ]);
    const response = JSON.stringify(doc.body.paths['/credentials'].get.responses);
    expect(response).not.toContain('secret');
    expect((await app.call('GET', '/docs', { token: null })).raw).toMatch(/swagger/i);
  });

  it('/health answers 200 without a token when Postgres and Redis are up; /metrics exposes request timings', async () => {
    const h = await app.call('GET', '/health', { token: null });
    expect(h.status).toBe(200);
    expect(h.body.checks).toEqual({ postgres: 'up', redis: 'up' });
    const m = await app.call('GET', '/metrics', { token: null });
    expect(m.status).toBe(200);
    expect(m.raw).toMatch(/fleetqry_http_request_duration_seconds_bucket\{[^}]*route="\/inventories"/);
    expect(m.raw).toMatch(/fleetqry_queue_jobs\{queue="probe",state="waiting"\} 0/);
  });

  it('Bull Board at /admin/queues needs an admin token', async () => {
    expect((await app.call('GET', '/admin/queues', { token: null })).status).toBe(401);
    expect((await app.call('GET', '/admin/queues', { token: operator })).status).toBe(403);
    const ok = await app.call('GET', '/admin/queues', { token: app.adminToken });
    expect(ok.status).toBe(200);
    expect(ok.raw).toMatch(/<html/i);
    const api = await app.call('GET', '/admin/queues/api/queues', { token: app.adminToken });
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(Object.values(QUEUES).sort());
    // The operator's 403 is written as it is; the anonymous 401 may be summed up with this client's earlier
    // anonymous denials (abuse.int-spec.ts): flushed here, it is one of the rows either way.
    await app.nest.get(AuditService).flush(true);
    expect((await denied(/admin\/queues|aggregated/)).length).toBeGreaterThanOrEqual(2);
  });

  it('the bootstrap admin is idempotent and rotates when the variable changes', async () => {
    const again = await ensureApiToken(app.store.prisma, {
      token: app.adminToken,
      name: BOOTSTRAP_ADMIN_NAME,
      role: 'admin',
      replacesSameName: true,
    });
    expect(again).toMatchObject({ created: false, revoked: 0 });
    const rotated = `fq_${'r'.repeat(43)}`;
    const next = await ensureApiToken(app.store.prisma, {
      token: rotated,
      name: BOOTSTRAP_ADMIN_NAME,
      role: 'admin',
      replacesSameName: true,
    });
    expect(next).toMatchObject({ created: true, revoked: 1 });
    expect((await app.call('GET', '/tokens', { token: app.adminToken })).status).toBe(401);
    expect((await app.call('GET', '/tokens', { token: rotated })).status).toBe(200);
  });
});
