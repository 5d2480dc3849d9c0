import { request as httpRequest } from 'node:http';

import { listAudit } from '@fleetqry/store';

import { AuditService } from '../auth/audit.service.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

/**
 * The API under abuse: security headers on every response (a CSP strict enough for the console and still
 * fitting Swagger UI and Bull Board), failed authentication rate-limited per client address, the audit log
 * not floodable by unauthenticated requests, and no body parsed before its token is checked. Client
 * addresses are set with X-Forwarded-For (FLEETQRY_TRUST_PROXY=true), so each test is its own client.
 */
let app: TestApp;
const LIMIT = 5;

beforeAll(async () => {
  app = await startTestApp({
    FLEETQRY_TRUST_PROXY: 'true',
    FLEETQRY_AUTH_FAILURES_PER_MINUTE: String(LIMIT),
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const from = (ip: string, token?: string | null) =>
  ({ 'x-forwarded-for': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) }) as Record<
    string,
    string
  >;

function csp(headers: Headers): Record<string, string> {
  const value = headers.get('content-security-policy') ?? '';
  return Object.fromEntries(
    value
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources.join(' ')]),
  );
}

/** Every <script> of a page: external ones with their src, inline ones with their type. */
function scripts(html: string): Array<{ src?: string; type?: string; inline: string }> {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].map(([, attrs, body]) => ({
    ...(/\bsrc=["']?([^"' >]+)/.exec(attrs!) ? { src: /\bsrc=["']?([^"' >]+)/.exec(attrs!)![1] } : {}),
    ...(/\btype=["']?([^"' >]+)/.exec(attrs!) ? { type: /\btype=["']?([^"' >]+)/.exec(attrs!)![1] } : {}),
    inline: body!.trim(),
  }));
}

describe('security headers', () => {
  it('every response has them, with a strict CSP (script-src self, no inline anything) on the API and console', async () => {
    for (const [path, token] of [
      ['/inventories', app.adminToken],
      ['/inventories', null],
      ['/health/live', null],
      ['/no-such-route', app.adminToken],
    ] as const) {
      const r = await fetch(`${app.url}${path}`, { headers: from('198.51.100.10', token) });
      const policy = csp(r.headers);
      expect(policy).toMatchObject({
        'default-src': "'self'",
        'script-src': "'self'",
        'script-src-attr': "'none'",
        'style-src': "'self'",
        'object-src': "'none'",
        'frame-ancestors': "'none'",
      });
      expect(policy['upgrade-insecure-requests']).toBeUndefined();
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('/docs (Swagger UI) and /admin/queues (Bull Board) run under script-src self: no inline script, all from this origin', async () => {
    for (const [path, token] of [
      ['/docs', null],
      ['/admin/queues', app.adminToken],
    ] as const) {
      const r = await fetch(`${app.url}${path}`, { headers: from('198.51.100.11', token) });
      expect(r.status).toBe(200);
      const policy = csp(r.headers);
      // The one relaxation: inline styles, on these paths only.
      expect(policy).toMatchObject({ 'script-src': "'self'", 'style-src': "'self' 'unsafe-inline'" });
      const html = await r.text();
      const found = scripts(html);
      // Relative script URLs resolve against <base href> when the page has one (Bull Board), else the page.
      const page = new URL(`${app.url}${path}`);
      const base = new URL(/<base\s+href=["']([^"']+)/i.exec(html)?.[1] ?? page.href, page);
      expect(found.length).toBeGreaterThan(0);
      for (const s of found) {
        // Executable scripts are external and same-origin; an inline block is only data (type JSON).
        if (s.src) {
          expect(s.src).not.toMatch(/^(https?:)?\/\//);
          const asset = await fetch(new URL(s.src, base), {
            headers: from('198.51.100.11', token),
          });
          expect([s.src, asset.status]).toEqual([s.src, 200]);
          expect(csp(asset.headers)['script-src']).toBe("'self'");
        } else expect([s.type, s.inline.length > 0]).toEqual(['application/json', true]);
      }
    }
    // Outside those paths, styles are strict again.
    const api = await fetch(`${app.url}/docs-json`, { headers: from('198.51.100.11') });
    expect(csp(api.headers)['style-src']).toBe("'self'");
  });
});

describe('failed authentication', () => {
  it('is rate-limited per client address: 429 with Retry-After, other addresses and health unaffected', async () => {
    const attacker = '203.0.113.7';
    for (let i = 0; i < LIMIT; i++) {
      const r = await fetch(`${app.url}/inventories`, { headers: from(attacker, `fq_guess-${i}`) });
      expect(r.status).toBe(401);
    }
    const limited = await fetch(`${app.url}/inventories`, { headers: from(attacker, 'fq_guess-again') });
    expect(limited.status).toBe(429);
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({
      statusCode: 429,
      message: expect.stringMatching(/retry in/),
    });
    // The address is held back even with a good token (it may be guessing still); others are served.
    expect((await fetch(`${app.url}/inventories`, { headers: from(attacker, app.adminToken) })).status).toBe(
      429,
    );
    expect(
      (await fetch(`${app.url}/inventories`, { headers: from('198.51.100.20', app.adminToken) })).status,
    ).toBe(200);
    expect((await fetch(`${app.url}/health/live`, { headers: from(attacker) })).status).toBe(200);
  });

  it('cannot flood the audit log: one row per client and window, the rest summed up, all counted in metrics', async () => {
    const flooder = '203.0.113.99';
    const n = 40;
    for (let i = 0; i < n; i++)
      await fetch(`${app.url}/scan-definitions/${i}`, { headers: from(flooder, `fq_random-token-${i}`) });
    const rows = async () =>
      (await listAudit(app.store.prisma, { limit: 1000 })).filter((a) => a.ip === flooder);
    const written = await rows();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ outcome: 'denied', actor: expect.stringMatching(/^unknown-token/) });
    await app.nest.get(AuditService).flush(true);
    const after = await rows();
    expect(after).toHaveLength(2);
    expect(after.find((a) => a.action === 'denied requests (aggregated)')).toMatchObject({
      actor: 'unknown-token',
      details: expect.objectContaining({ count: n - 1, lastAction: `GET /scan-definitions/${n - 1}` }),
    });
    const metrics = await (await fetch(`${app.url}/metrics`, { headers: from('198.51.100.30') })).text();
    const count = (status: number) =>
      Number(
        new RegExp(`fleetqry_auth_denials_total\\{status="${status}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0,
      );
    expect(count(401) + count(429)).toBeGreaterThanOrEqual(n);
    expect(count(429)).toBeGreaterThanOrEqual(n - LIMIT);
  });

  it('a body is not read before its token is checked: a 15 MB upload without a valid token is refused unread', async () => {
    const { port } = new URL(app.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: Number(port),
        method: 'POST',
        path: '/inventories/import?format=csv&name=big',
        headers: {
          'content-type': 'text/csv',
          'content-length': String(15 * 1024 * 1024),
          'x-forwarded-for': '198.51.100.40',
          authorization: 'Bearer fq_not-a-real-token-00000000000000000000000',
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      // 1 KB of the announced 15 MB: a parser would wait for the rest; the answer must come without it.
      req.write('address\n'.padEnd(1024, 'x'));
      setTimeout(() => reject(new Error('no answer before the body was sent')), 10_000).unref();
    });
    expect(status).toBe(401);
    // With a valid token, a body is parsed as before.
    const ok = await fetch(`${app.url}/inventories`, {
      method: 'POST',
      headers: { ...from('198.51.100.41', app.adminToken), 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'after-the-check',
        document: { targets: ['127.0.0.1'], ports: { tcp: '22' } },
      }),
    });
    expect(ok.status).toBe(201);
  });
});
