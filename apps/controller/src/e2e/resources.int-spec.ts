import { replaceRunFindings, createRun, finishRun, startRun } from '@fleetqry/store';
import { ReportSchema, type Finding } from '@fleetqry/contracts';

import { startTestApp, type Body, type TestApp } from '../testing/test-app.js';

/** Every resource's CRUD happy path through the real HTTP stack, and 400s that name the field at fault. */
describe('controller API resources', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const expectFieldError = (r: { status: number; body: Body }, path: string) => {
    expect(r.status).toBe(400);
    expect(r.body.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(r.body.message).toContain(path);
  };

  describe('inventories', () => {
    const doc = {
      name: 'lab',
      targets: ['127.0.0.1', { address: '127.0.0.2', name: 'dc1', tags: ['dc', 'prod'], owner: 'ops' }],
      ports: { tcp: '22,80', udp: '161' },
    };

    it('creates, reads, lists, replaces and deletes', async () => {
      const created = await app.call('POST', '/inventories', { body: { name: 'lab', document: doc } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'lab', hostCount: 2 });
      const id = created.body.id as string;

      const got = await app.call('GET', `/inventories/${id}`);
      expect(got.status).toBe(200);
      expect(got.body.document.targets[1]).toMatchObject({ address: '127.0.0.2', tags: ['dc', 'prod'] });

      const list = await app.call('GET', '/inventories?limit=10');
      expect(list.body).toMatchObject({ total: 1, limit: 10, offset: 0 });

      const replaced = await app.call('PUT', `/inventories/${id}`, {
        body: { name: 'lab', document: { ...doc, targets: ['127.0.0.3'] } },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body.hostCount).toBe(1);

      expect((await app.call('POST', '/inventories', { body: { name: 'lab', document: doc } })).status).toBe(
        409,
      );
      expect((await app.call('DELETE', `/inventories/${id}`)).status).toBe(204);
      expect((await app.call('GET', `/inventories/${id}`)).status).toBe(404);
    });

    it('imports the CLI inventory YAML and a hosts CSV', async () => {
      const yaml =
        'name: from-yaml\ntargets:\n  - 127.0.0.1\n  - address: 127.0.0.9\n    tags: [web]\nports:\n  tcp: "80"\n';
      const y = await app.call('POST', '/inventories/import?format=yaml', {
        text: yaml,
        contentType: 'text/yaml',
      });
      expect(y.status).toBe(201);
      expect(y.body).toMatchObject({ name: 'from-yaml', hostCount: 2 });

      const csv = 'address,name,tags,owner\n127.0.0.4,web1,web;prod,ops\n"127.0.0.5",,db,\n';
      const c = await app.call('POST', '/inventories/import?format=csv&name=from-csv&tcp=80,443', {
        text: csv,
        contentType: 'text/csv',
      });
      expect(c.status).toBe(201);
      expect(c.body.document).toMatchObject({
        ports: { tcp: '80,443' },
        targets: [
          { address: '127.0.0.4', name: 'web1', tags: ['web', 'prod'], owner: 'ops' },
          { address: '127.0.0.5', tags: ['db'] },
        ],
      });
      // Same name again: 409 unless replace=true.
      expect(
        (
          await app.call('POST', '/inventories/import?format=csv&name=from-csv', {
            text: csv,
            contentType: 'text/csv',
          })
        ).status,
      ).toBe(409);
      const again = await app.call('POST', '/inventories/import?format=csv&name=from-csv&replace=true', {
        text: csv,
        contentType: 'text/csv',
      });
      expect(again.status).toBe(201);
    });

    it('names the field at fault', async () => {
      expectFieldError(await app.call('POST', '/inventories', { body: { document: doc } }), 'name');
      expectFieldError(
        await app.call('POST', '/inventories', {
          body: { name: 'x', document: { ...doc, ports: undefined } },
        }),
        'document.ports',
      );
      expectFieldError(
        await app.call('POST', '/inventories', {
          body: { name: 'x', document: { ...doc, targets: ['127.0.0.1', '10.0.0.0/33'] } },
        }),
        'document.targets[1]',
      );
      expectFieldError(
        await app.call('POST', '/inventories', {
          body: { name: 'x', document: { ...doc, targets: [{ address: '127.0.0.1', tags: ['bad tag'] }] } },
        }),
        'document.targets[0].tags[0]',
      );
      expectFieldError(
        await app.call('POST', '/inventories', {
          body: { name: 'x', document: { ...doc, snmp: { communities: ['public'] } } },
        }),
        'document.snmp.communities',
      );
      expectFieldError(
        await app.call('POST', '/inventories/import?format=csv&name=bad', {
          text: 'address,colour\n127.0.0.1,red\n',
          contentType: 'text/csv',
        }),
        'csv.header[1]',
      );
      // An unterminated quote must not swallow the hosts after it into a name: 400 naming the line.
      expectFieldError(
        await app.call('POST', '/inventories/import?format=csv&name=bad', {
          text: 'address,name\n127.0.0.1,a\n127.0.0.2,"oops\n127.0.0.3,c\n',
          contentType: 'text/csv',
        }),
        'csv.line[3]',
      );
      // Error bodies carry the request id of the log lines and of the X-Request-Id header.
      const bad = await app.call('GET', '/inventories/not-a-uuid');
      expect(bad.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(bad.headers.get('x-request-id')).toBe(bad.body.requestId);
      expectFieldError(await app.call('GET', '/inventories?limit=0'), 'limit');
      expectFieldError(await app.call('GET', '/inventories/not-a-uuid'), 'id');
    });
  });

  describe('scope rules', () => {
    it('adds allow/deny rules inside the environment scope and reports the effective scope', async () => {
      const allow = await app.call('POST', '/scope/rules', {
        body: { action: 'allow', cidr: '127.0.0.0/24', comment: 'lab' },
      });
      expect(allow.status).toBe(201);
      const deny = await app.call('POST', '/scope/rules', { body: { action: 'deny', cidr: '127.0.0.9' } });
      expect(deny.status).toBe(201);
      expect((await app.call('GET', '/scope')).body).toEqual({
        allow: ['127.0.0.0/24'],
        deny: ['127.0.0.9'],
      });
      expect((await app.call('GET', '/scope/rules')).body).toHaveLength(2);
      expect((await app.call('DELETE', `/scope/rules/${deny.body.id}`)).status).toBe(204);
      expect((await app.call('DELETE', `/scope/rules/${allow.body.id}`)).status).toBe(204);
      expect((await app.call('GET', '/scope')).body.allow).toEqual(['127.0.0.0/8', '::1/128']);
    });

    it('refuses bad CIDRs and rules that would widen the deployment scope', async () => {
      expectFieldError(
        await app.call('POST', '/scope/rules', { body: { action: 'allow', cidr: '10.0.0.0/33' } }),
        'cidr',
      );
      expectFieldError(
        await app.call('POST', '/scope/rules', { body: { action: 'allow', cidr: '010.1.1.1' } }),
        'cidr',
      );
      const widen = await app.call('POST', '/scope/rules', { body: { action: 'allow', cidr: '10.0.0.0/8' } });
      expectFieldError(widen, 'cidr');
      expect(widen.body.message).toMatch(/FLEETQRY_SCOPE_ALLOW/);
      expectFieldError(
        await app.call('POST', '/scope/rules', { body: { action: 'maybe', cidr: '127.0.0.1' } }),
        'action',
      );
    });
  });

  describe('credentials', () => {
    it('creates, lists, reads and deletes without ever returning the secret', async () => {
      const c = await app.call('POST', '/credentials', {
        body: { kind: 'snmp-community', name: 'lab-ro', secret: 'not-public-xyz-123' },
      });
      expect(c.status).toBe(201);
      expect(c.body).toMatchObject({ kind: 'snmp-community', name: 'lab-ro' });
      expect(c.raw).not.toContain('not-public-xyz-123');
      expect((await app.call('GET', `/credentials/${c.body.id}`)).body.name).toBe('lab-ro');
      expect((await app.call('GET', '/credentials')).body).toHaveLength(1);
      expect((await app.call('DELETE', `/credentials/${c.body.id}`)).status).toBe(204);
    });

    it('stores an SNMPv3 user: the user name is shown, its protocols and keys never', async () => {
      const keys = { authKey: 'v3-auth-passphrase', privKey: 'v3-priv-passphrase' };
      const c = await app.call('POST', '/credentials', {
        body: {
          kind: 'snmp-v3-user',
          name: 'v3-ro',
          user: 'fq-ro',
          authProtocol: 'sha256',
          privProtocol: 'aes',
          ...keys,
        },
      });
      expect(c.status).toBe(201);
      expect(c.body).toMatchObject({ kind: 'snmp-v3-user', name: 'v3-ro', principal: 'fq-ro' });
      const listed = await app.call('GET', '/credentials');
      for (const raw of [c.raw, listed.raw]) {
        for (const key of Object.values(keys)) expect(raw).not.toContain(key);
        expect(raw).not.toContain('sha256');
      }
      expect((await app.call('DELETE', `/credentials/${c.body.id}`)).status).toBe(204);
    });

    it('names the field at fault', async () => {
      expectFieldError(
        await app.call('POST', '/credentials', { body: { kind: 'snmp-community', name: 'x' } }),
        'secret',
      );
      expectFieldError(
        await app.call('POST', '/credentials', { body: { kind: 'password', name: 'x', secret: 'y' } }),
        'kind',
      );
      expectFieldError(
        await app.call('POST', '/credentials', {
          body: { kind: 'snmp-community', name: 'x', secret: 'a\u0001b' },
        }),
        'secret',
      );
      const v3 = { kind: 'snmp-v3-user', name: 'x', user: 'fq' };
      const badKey = await app.call('POST', '/credentials', {
        body: { ...v3, authProtocol: 'sha256', authKey: 'short' },
      });
      expectFieldError(badKey, 'authKey');
      expect(badKey.raw).not.toContain('short"');
      expectFieldError(
        await app.call('POST', '/credentials', { body: { ...v3, authProtocol: 'sha256' } }),
        'authKey',
      );
      expectFieldError(
        await app.call('POST', '/credentials', {
          body: { ...v3, privProtocol: 'aes', privKey: 'priv-passphrase' },
        }),
        'authProtocol',
      );
      expectFieldError(
        await app.call('POST', '/credentials', {
          body: { ...v3, authProtocol: 'sha3', authKey: 'auth-passphrase' },
        }),
        'authProtocol',
      );
    });
  });

  describe('policies', () => {
    const yaml = [
      'apiVersion: fleetqry/v1',
      'kind: Policy',
      'metadata: { name: site, version: 1 }',
      'rules:',
      '  - { id: site.ftp, type: ftp-anonymous, severity: high, title: Anonymous FTP }',
    ].join('\n');

    it('uploads versions, reads and deletes', async () => {
      const v1 = await app.call('POST', '/policies', { body: { name: 'site', yaml } });
      if (v1.status !== 201) throw new Error(JSON.stringify(v1.body));
      expect(v1.body).toMatchObject({ name: 'site', version: 1 });
      const v2 = await app.call('POST', '/policies', { body: { name: 'site', yaml } });
      expect(v2.body.version).toBe(2);
      expect((await app.call('GET', '/policies/site')).body.version).toBe(2);
      expect((await app.call('GET', '/policies/site?version=1')).body.version).toBe(1);
      expect((await app.call('GET', '/policies/site/versions')).body).toHaveLength(2);
      expect((await app.call('GET', '/policies')).body.map((p: { name: string }) => p.name)).toEqual([
        'site',
      ]);
      expect((await app.call('DELETE', '/policies/site')).status).toBe(204);
      expect((await app.call('GET', '/policies/site')).status).toBe(404);
    });

    it('validates the YAML with libs/policy, naming the field inside it', async () => {
      const bad = await app.call('POST', '/policies', {
        body: { name: 'bad', yaml: yaml.replace('severity: high', 'severity: urgent') },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/yaml: rules\[0\]\.severity/);
      expectFieldError(await app.call('POST', '/policies', { body: { name: 'baseline', yaml } }), 'name');
      expectFieldError(await app.call('POST', '/policies', { body: { name: 'x' } }), 'yaml');
    });
  });

  describe('service groups', () => {
    it('creates, reads, updates, lists and deletes', async () => {
      const g = await app.call('POST', '/service-groups', {
        body: { name: 'web-alt', tcp: '8080,8443', description: 'alt web' },
      });
      expect(g.status).toBe(201);
      const u = await app.call('PUT', `/service-groups/${g.body.id}`, {
        body: { name: 'web-alt', tcp: '8080', udp: '8443' },
      });
      expect(u.body).toMatchObject({ tcp: '8080', udp: '8443' });
      expect((await app.call('GET', `/service-groups/${g.body.id}`)).body.name).toBe('web-alt');
      expect((await app.call('GET', '/service-groups')).body).toHaveLength(1);
      expect((await app.call('GET', '/service-groups/builtin')).body.length).toBeGreaterThan(3);
      expect((await app.call('DELETE', `/service-groups/${g.body.id}`)).status).toBe(204);
    });

    it('names the field at fault', async () => {
      expectFieldError(
        await app.call('POST', '/service-groups', { body: { name: 'x', tcp: '70000' } }),
        'tcp',
      );
      expectFieldError(
        await app.call('POST', '/service-groups', { body: { name: 'Bad Name', tcp: '80' } }),
        'name',
      );
      expectFieldError(await app.call('POST', '/service-groups', { body: { name: 'empty' } }), 'tcp');
    });
  });

  describe('scan definitions', () => {
    let inventoryId: string;
    beforeAll(async () => {
      const inv = await app.call('POST', '/inventories', {
        body: { name: 'scan-inv', document: { targets: ['127.0.0.1'], ports: { tcp: '22' } } },
      });
      inventoryId = inv.body.id;
    });

    it('creates with a cron schedule and time zone, updates, lists and deletes', async () => {
      const s = await app.call('POST', '/scan-definitions', {
        body: {
          name: 'nightly',
          inventoryId,
          schedule: '0 2 * * *',
          timezone: 'Europe/Berlin',
          serviceGroups: ['domains-and-trusts'],
          selector: { tags: ['dc'] },
        },
      });
      if (s.status !== 201) throw new Error(JSON.stringify(s.body));
      expect(s.body).toMatchObject({
        name: 'nightly',
        schedule: '0 2 * * *',
        timezone: 'Europe/Berlin',
        policy: 'baseline',
        enabled: true,
      });
      const u = await app.call('PATCH', `/scan-definitions/${s.body.id}`, {
        body: { schedule: null, selector: null, enabled: false },
      });
      expect(u.status).toBe(200);
      expect(u.body).toMatchObject({
        schedule: null,
        selector: null,
        enabled: false,
        timezone: 'Europe/Berlin',
      });
      expect((await app.call('GET', `/scan-definitions/${s.body.id}`)).body.name).toBe('nightly');
      expect((await app.call('GET', '/scan-definitions')).body.total).toBe(1);
      expect((await app.call('DELETE', `/scan-definitions/${s.body.id}`)).status).toBe(204);
    });

    it('validates cron, time zone, ports and references, naming each field', async () => {
      const r = await app.call('POST', '/scan-definitions', {
        body: {
          name: 'bad',
          inventoryId: '00000000-0000-4000-8000-000000000000',
          schedule: '61 * * * *',
          timezone: 'Mars/Olympus',
          tcpPorts: '0-70000',
          serviceGroups: ['no-such-group'],
          credentialIds: ['00000000-0000-4000-8000-000000000001'],
          policy: 'no-such-policy',
        },
      });
      expect(r.status).toBe(400);
      const paths = r.body.issues.map((i: { path: string }) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'timezone',
          'tcpPorts',
          'inventoryId',
          'serviceGroups[0]',
          'credentialIds[0]',
          'policy',
        ]),
      );
      expectFieldError(
        await app.call('POST', '/scan-definitions', { body: { name: 'c', schedule: '0 2 * *' } }),
        'schedule',
      );
      expectFieldError(
        await app.call('POST', '/scan-definitions', { body: { name: 'c', schedule: '61 * * * *' } }),
        'schedule',
      );
      expectFieldError(
        await app.call('POST', '/scan-definitions', { body: { name: 'c', timezone: '+01:00' } }),
        'timezone',
      );
      expectFieldError(
        await app.call('POST', '/scan-definitions', { body: { name: 'c', inventoryId: 'nope' } }),
        'inventoryId',
      );
      expectFieldError(
        await app.call('POST', '/scan-definitions', { body: { name: 'c', colour: 'red' } }),
        '(body)',
      );
    });
  });

  describe('findings, reports, delta, waivers', () => {
    const finding = (over: Partial<Finding>): Finding => ({
      rule: 'snmp.community.public',
      severity: 'high',
      host: 'h1',
      address: '127.0.0.1',
      proto: 'udp',
      port: 161,
      title: 'SNMP answers to "public"',
      evidence: { community: 'public' },
      key: 'k1',
      status: 'new',
      tags: ['dc'],
      ...over,
    });
    let run1: { id: string; number: number };
    let run2: { id: string; number: number };

    beforeAll(async () => {
      const db = app.store.prisma;
      const def = await db.scanDefinition.create({ data: { name: 'results-scan' } });
      for (const [i, findings] of [
        [
          finding({}),
          finding({
            key: 'k2',
            rule: 'tcp.telnet',
            severity: 'medium',
            port: 23,
            proto: 'tcp',
            address: '127.0.0.2',
            host: 'h2',
            tags: ['web'],
          }),
        ],
        [
          finding({ status: 'persisting' }),
          finding({
            key: 'k3',
            rule: 'ldap.anonymous',
            severity: 'low',
            port: 389,
            proto: 'tcp',
            status: 'new',
          }),
          finding({
            key: 'k2',
            rule: 'tcp.telnet',
            severity: 'medium',
            port: 23,
            proto: 'tcp',
            address: '127.0.0.2',
            host: 'h2',
            status: 'resolved',
          }),
        ],
      ].entries()) {
        const { run } = await createRun(db, {
          trigger: 'manual',
          scanDefinitionId: def.id,
          policyName: 'baseline',
        });
        await startRun(db, run.id);
        await app.store.sql((c) => replaceRunFindings(c, run.id, findings));
        await finishRun(db, run.id, { status: 'succeeded' });
        if (i === 0) run1 = run;
        else run2 = run;
      }
    });

    it('filters findings by severity, rule, host, tag, status and run, with pagination', async () => {
      const all = await app.call('GET', `/findings?run=${run2.id}`);
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ total: 3, run: { id: run2.id, number: run2.number } });
      expect((await app.call('GET', '/findings')).body.run.id).toBe(run2.id); // latest
      expect(
        (await app.call('GET', `/findings?run=${run1.number}&tag=web`)).body.items.map((f: Finding) => f.key),
      ).toEqual(['k2']);
      expect((await app.call('GET', `/findings?run=${run2.id}&severity=high,low`)).body.total).toBe(2);
      expect((await app.call('GET', `/findings?run=${run2.id}&rule=ldap.anonymous`)).body.total).toBe(1);
      expect((await app.call('GET', `/findings?run=${run2.id}&host=127.0.0.2`)).body.total).toBe(1);
      expect((await app.call('GET', `/findings?run=${run2.id}&status=resolved&status=new`)).body.total).toBe(
        2,
      );
      const page = await app.call('GET', `/findings?run=${run2.id}&limit=2&offset=2`);
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 2 });
      expect(page.body.items).toHaveLength(1);
      expectFieldError(await app.call('GET', '/findings?severity=urgent'), 'severity[0]');
      expectFieldError(await app.call('GET', '/findings?run=abc'), 'run');
      expect((await app.call('GET', '/findings?run=999')).status).toBe(404);
    });

    it('exports the report as JSON (ReportSchema), CSV, SARIF and text', async () => {
      const json = await app.call('GET', `/reports/${run2.number}?format=json`);
      expect(json.status).toBe(200);
      const report = ReportSchema.parse(json.body);
      expect(report.run).toMatchObject({ id: run2.id, scan: 'results-scan' });
      expect(report.delta.against).toEqual({ id: run1.id, number: run1.number });
      const csv = await app.call('GET', `/reports/latest?format=csv`);
      expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
      expect(csv.raw.split('\n')[0]).toMatch(/rule/);
      const sarif = await app.call('GET', `/reports/latest?format=sarif`);
      expect(JSON.parse(sarif.raw).version).toBe('2.1.0');
      expect((await app.call('GET', `/reports/latest?format=text`)).raw).toMatch(/snmp.community.public/);
      const filtered = await app.call('GET', `/reports/latest?min-severity=high`);
      expect(
        filtered.body.violations.every((f: Finding) => f.severity === 'high' || f.severity === 'critical'),
      ).toBe(true);
      expectFieldError(await app.call('GET', '/reports/latest?format=pdf'), 'format');
    });

    it('computes the delta between two runs', async () => {
      const d = await app.call('GET', `/delta?from=${run1.number}&to=${run2.number}`);
      expect(d.status).toBe(200);
      expect(d.body.new.map((f: Finding) => f.key)).toEqual(['k3']);
      expect(d.body.resolved.map((f: Finding) => f.key)).toEqual(['k2']);
      expect(d.body.persisting.map((f: Finding) => f.key)).toEqual(['k1']);
      expectFieldError(await app.call('GET', `/delta?from=${run1.number}`), 'to');
    });

    it('creates, lists and revokes waivers', async () => {
      const w = await app.call('POST', '/waivers', {
        body: {
          rule: 'snmp.community.public',
          address: '127.0.0.1',
          owner: 'ops',
          reason: 'legacy printer',
          expiresAt: '2099-01-01T00:00:00Z',
        },
      });
      expect(w.status).toBe(201);
      expect(w.body).toMatchObject({ hostPattern: '127.0.0.1', rule: 'snmp.community.public' });
      expect((await app.call('GET', '/waivers?active=true')).body).toHaveLength(1);
      const revoked = await app.call('DELETE', `/waivers/${w.body.id}`);
      expect(revoked.body.revokedAt).not.toBeNull();
      expect((await app.call('GET', '/waivers?active=true')).body).toHaveLength(0);
      expect((await app.call('GET', '/waivers')).body).toHaveLength(1);
    });

    it('names the waiver field at fault', async () => {
      const base = { rule: 'r', owner: 'o', reason: 'x', expiresAt: '2099-01-01T00:00:00Z' };
      expectFieldError(await app.call('POST', '/waivers', { body: base }), 'key');
      expectFieldError(await app.call('POST', '/waivers', { body: { ...base, cidr: '10.0.0.1' } }), 'cidr');
      expectFieldError(
        await app.call('POST', '/waivers', { body: { ...base, key: 'k', expiresAt: 'tomorrow' } }),
        'expiresAt',
      );
      expectFieldError(
        await app.call('POST', '/waivers', {
          body: { ...base, key: 'k', expiresAt: '2001-01-01T00:00:00Z' },
        }),
        'expiresAt',
      );
    });
  });

  describe('tokens', () => {
    it('creates (shown once), lists without secrets, and revokes', async () => {
      const t = await app.call('POST', '/tokens', { body: { name: 'ci', role: 'operator' } });
      expect(t.status).toBe(201);
      expect(t.body.token).toMatch(/^fq_/);
      const list = await app.call('GET', '/tokens');
      expect(list.raw).not.toContain(t.body.token);
      expect(list.raw).not.toContain('tokenHash');
      expect((await app.call('GET', '/tokens/me', { token: t.body.token })).body).toMatchObject({
        name: 'ci',
        role: 'operator',
      });
      expect((await app.call('DELETE', `/tokens/${t.body.info.id}`)).body.revokedAt).not.toBeNull();
      expectFieldError(await app.call('POST', '/tokens', { body: { name: 'x', role: 'root' } }), 'role');
    });
  });
});
