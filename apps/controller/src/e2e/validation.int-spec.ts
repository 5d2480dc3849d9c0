import type { Body } from '../testing/test-app.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

/**
 * Validation at the door: what a scan will use is checked on save with a 400 naming the field (ports, check
 * names, credential references), run references are checked before any query, and an idempotency key
 * belongs to one scan definition.
 */
let app: TestApp;
let snmpCredential: string;
let ldapCredential: string;
let inventoryId: string;
const COMMUNITY_TYPO = 'Xq-community-in-the-wrong-field-4471';

beforeAll(async () => {
  app = await startTestApp();
  snmpCredential = (
    await app.call('POST', '/credentials', {
      body: { kind: 'snmp-community', name: 'snmp', secret: 'Zz-community-1' },
    })
  ).body.id;
  ldapCredential = (
    await app.call('POST', '/credentials', {
      body: { kind: 'ldap-bind', name: 'ldap', secret: 'pw-1', principal: 'cn=r,dc=lab' },
    })
  ).body.id;
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const fieldError = (r: { status: number; body: Body }, path: string) => {
  expect([r.status, r.body.issues?.map((i: { path: string }) => i.path)]).toEqual([
    400,
    expect.arrayContaining([path]),
  ]);
  expect(r.body.message).toContain(path);
};

const doc = (extra: Record<string, unknown> = {}) => ({
  targets: ['127.0.0.1', { address: '127.0.0.2', excludePorts: '25' }],
  ports: { tcp: '22,80', udp: '161' },
  ...extra,
});

describe('inventories', () => {
  it('400 naming the field for bad ports, excludes, check names and credential references; nothing stored', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [doc({ ports: { tcp: '22,abc' } }), 'document.ports.tcp'],
      [doc({ ports: { udp: '70000' } }), 'document.ports.udp'],
      [doc({ ports: { tcp: '22', exclude: '1-' } }), 'document.ports.exclude'],
      [doc({ targets: [{ address: '127.0.0.3', excludePorts: 'x' }] }), 'document.targets[0].excludePorts'],
      [doc({ checks: ['snmp', 'nmap'] }), 'document.checks[1]'],
      [doc({ snmp: { credentials: [COMMUNITY_TYPO] } }), 'document.snmp.credentials[0]'],
      [doc({ snmp: { credentials: [ldapCredential] } }), 'document.snmp.credentials[0]'],
      [
        doc({ snmp: { credentials: ['00000000-0000-4000-8000-000000000000'] } }),
        'document.snmp.credentials[0]',
      ],
    ];
    for (const [document, path] of cases) {
      const r = await app.call('POST', '/inventories', { body: { name: 'bad', document } });
      fieldError(r, path);
      expect(r.raw).not.toContain(COMMUNITY_TYPO);
    }
    expect((await app.call('GET', '/inventories')).body).toMatchObject({ total: 0 });
    const rows = await app.store.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM inventories WHERE document::text LIKE $1`,
      `%${COMMUNITY_TYPO}%`,
    );
    expect(Number(rows[0]!.n)).toBe(0);
    const ok = await app.call('POST', '/inventories', {
      body: { name: 'good', document: doc({ checks: ['snmp'], snmp: { credentials: [snmpCredential] } }) },
    });
    expect(ok.status).toBe(201);
    inventoryId = ok.body.id;
  });

  it('CSV import: the port query parameters are checked too', async () => {
    const r = await app.call('POST', '/inventories/import?format=csv&name=csv&tcp=22,http2', {
      text: 'address\n127.0.0.1\n',
      contentType: 'text/csv',
    });
    fieldError(r, 'tcp');
  });
});

describe('scan definitions', () => {
  it('refuse unknown checks and credentials that are not SNMP communities', async () => {
    fieldError(
      await app.call('POST', '/scan-definitions', { body: { name: 'd1', inventoryId, checks: ['telnetd'] } }),
      'checks[0]',
    );
    fieldError(
      await app.call('POST', '/scan-definitions', {
        body: { name: 'd2', inventoryId, credentialIds: [snmpCredential, ldapCredential] },
      }),
      'credentialIds[1]',
    );
  });
});

describe('runs', () => {
  it('a malformed run reference is a 400 naming it, an unknown one a 404', async () => {
    fieldError(await app.call('GET', '/runs/not-a-run'), 'id');
    fieldError(await app.call('POST', '/runs/1%27%20or%201=1/cancel'), 'id');
    expect((await app.call('GET', '/runs/424242')).status).toBe(404);
    expect((await app.call('GET', '/runs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    fieldError(await app.call('GET', '/delta?from=abc&to=1'), 'from');
  });

  it('an idempotency key belongs to one scan definition: reused for another, 409', async () => {
    const defs: string[] = [];
    for (const name of ['idem-a', 'idem-b'])
      defs.push(
        (
          await app.call('POST', '/scan-definitions', {
            body: { name, inventoryId, tcpPorts: '22', checks: [] },
          })
        ).body.id,
      );
    const first = await app.call('POST', '/runs', {
      body: { scanDefinitionId: defs[0], idempotencyKey: 'k-1' },
    });
    expect(first.status).toBe(202);
    const replay = await app.call('POST', '/runs', {
      body: { scanDefinitionId: defs[0], idempotencyKey: 'k-1' },
    });
    expect([replay.status, replay.body.id, replay.body.created]).toEqual([202, first.body.id, false]);
    const other = await app.call('POST', '/runs', {
      body: { scanDefinitionId: defs[1], idempotencyKey: 'k-1' },
    });
    expect(other.status).toBe(409);
    await app.call('POST', `/runs/${first.body.id}/cancel`);
  });
});
