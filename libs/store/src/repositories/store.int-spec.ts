import { randomBytes } from 'node:crypto';

import type { Finding, HostCoverage, Observation } from '@fleetqry/contracts';

import { createStore, StoreConnectError, type Store } from '../client/create-store.js';
import { CREDENTIAL_KEY_ENV, loadCredentialKey } from '../credentials/credential-key.js';
import { createTempDir, createTempPostgres } from '../testing/temp-databases.js';
import { createApiToken, hashApiToken, revokeApiToken, verifyApiToken } from './api-tokens.repository.js';
import { appendAudit, listAudit } from './audit-log.repository.js';
import { createCredential, listCredentials, readCredentialSecret } from './credentials.repository.js';
import {
  queryFindings,
  replaceRunFindings,
  selectFindings,
  summarizeFindings,
} from './findings.repository.js';
import { observationToRow, type ObservationRow } from './observation-row.js';
import { runHostViewsBetween, saveHostView } from './host-views.repository.js';
import {
  type HostSlice,
  ingestResults,
  queryObservations,
  runCoverageBetween,
  runHostSlices,
  runObservationsBetween,
} from './observations.repository.js';
import { pruneRuns } from './retention.repository.js';
import {
  createRun,
  failStaleRuns,
  finishRun,
  getRun,
  latestSucceededRun,
  previousRun,
  startRun,
  addRunProgress,
} from './runs.repository.js';
import { ensureScanDefinition } from './scan-definitions.repository.js';
import { activeWaivers, createWaiver, revokeWaiver } from './waivers.repository.js';

function rows(n: number, offset = 0): ObservationRow[] {
  return Array.from({ length: n }, (_, i) => ({
    host: `h${i + offset}`,
    address: `10.0.${((i + offset) >> 8) & 255}.${(i + offset) & 255}`,
    proto: 'tcp',
    port: 80,
    check: 'port',
    state: 'LISTENING',
    reason: 'syn-ack',
    data: { rttMs: 1.5 },
    observedAt: new Date(),
  }));
}

describe.each(['pglite', 'postgres'] as const)('store repositories on %s', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (kind === 'postgres') {
      const db = await createTempPostgres();
      store = await createStore({ databaseUrl: db.url, migrate: true, poolSize: 4, connectTimeoutMs: 5000 });
      cleanup = db.drop;
    } else {
      const tmp = await createTempDir();
      store = await createStore({ dataDir: tmp.dir });
      cleanup = tmp.remove;
    }
    expect(store.kind).toBe(kind);
    // Migrated on open (Postgres) or already in the embedded template the data directory was seeded from.
    const [{ n }] = await store.prisma.$queryRawUnsafe<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`,
    );
    expect(n).toBeGreaterThan(0);
  }, 120_000);
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  it('creates a run once per idempotency key, tracks progress and finishes once', async () => {
    const a = await createRun(store.prisma, {
      trigger: 'manual',
      idempotencyKey: 'req-1',
      totalProbes: 3_000_000_000,
    });
    const b = await createRun(store.prisma, { trigger: 'manual', idempotencyKey: 'req-1' });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.run.id).toBe(a.run.id);
    expect(a.run.totalProbes).toBe(3_000_000_000);
    await startRun(store.prisma, a.run.id);
    await Promise.all([1, 2, 3].map(() => store.sql((c) => addRunProgress(c, a.run.id, 10))));
    expect((await getRun(store.prisma, a.run.id))!.doneProbes).toBe(30);
    expect(await finishRun(store.prisma, a.run.id, { status: 'succeeded' })).toBe(true);
    expect(await finishRun(store.prisma, a.run.id, { status: 'failed', error: 'late' })).toBe(false);
    const byNumber = await getRun(store.prisma, String(a.run.number));
    expect(byNumber!.status).toBe('succeeded');
  });

  it('finds the previous succeeded run of the same scan and fails stale runs', async () => {
    const scan = await ensureScanDefinition(store.prisma, 'cli:examples/inventory.yaml');
    expect((await ensureScanDefinition(store.prisma, 'cli:examples/inventory.yaml')).id).toBe(scan.id);
    const r1 = (await createRun(store.prisma, { trigger: 'cli', scanDefinitionId: scan.id })).run;
    await finishRun(store.prisma, r1.id, { status: 'succeeded' });
    const r2 = (await createRun(store.prisma, { trigger: 'cli', scanDefinitionId: scan.id })).run;
    await finishRun(store.prisma, r2.id, { status: 'failed' });
    const r3 = (await createRun(store.prisma, { trigger: 'cli', scanDefinitionId: scan.id })).run;
    expect((await previousRun(store.prisma, r3))!.id).toBe(r1.id);
    expect(await previousRun(store.prisma, r1)).toBeNull();

    await startRun(store.prisma, r3.id, new Date(Date.now() - 60_000));
    expect(await failStaleRuns(store.prisma, new Date())).toBeGreaterThanOrEqual(1);
    const stale = await getRun(store.prisma, r3.id);
    expect(stale!.status).toBe('failed');
    expect(stale!.error).toMatch(/interrupted/);
  });

  const ingest = (runId: string, batch: ObservationRow[], coverage: HostCoverage[] = []) =>
    store.sql((c) => c.transaction((tx) => ingestResults(tx, runId, batch, coverage)));
  const cov = (address: string, proto: 'tcp' | 'udp', closed: [number, number][]): HostCoverage => ({
    host: address,
    address,
    proto,
    closed,
    observedAt: '2026-12-06T00:00:00.000Z',
  });

  it('ingests observations and coverage idempotently: a retried batch adds nothing', async () => {
    const run = (await createRun(store.prisma, { trigger: 'cli' })).run;
    const batch = rows(2500);
    const coverage = [
      cov('10.0.0.1', 'tcp', [
        [1, 79],
        [81, 1024],
      ]),
      cov('10.0.0.2', 'tcp', []),
    ];
    expect(await ingest(run.id, batch, coverage)).toEqual({
      inserted: 2500,
      duplicates: 0,
      coverageInserted: 2,
      closedProbes: 1023,
    });
    expect(await ingest(run.id, batch, coverage)).toEqual({
      inserted: 0,
      duplicates: 2500,
      coverageInserted: 0,
      closedProbes: 0,
    });
    // Overlapping retry plus duplicates inside one batch.
    const overlap = [...rows(100, 2450), ...rows(10, 2540)];
    expect((await ingest(run.id, overlap)).inserted).toBe(50);
    const stored = await store.sql((c) =>
      c.query<{ n: number }>(`SELECT count(*)::int AS n FROM observations WHERE run_id = $1`, [run.id]),
    );
    expect(stored.rows[0]!.n).toBe(2550);
  });

  it('keeps a run in partitions of its own and prunes whole runs, never the delta baseline', async () => {
    const scan = await ensureScanDefinition(store.prisma, `prune-${kind}`);
    const runs: Awaited<ReturnType<typeof createRun>>['run'][] = [];
    for (let i = 0; i < 4; i++) {
      const { run } = await createRun(store.prisma, { trigger: 'cli', scanDefinitionId: scan.id });
      await ingest(run.id, rows(10), [cov('10.9.0.1', 'tcp', [[1, 100]])]);
      await finishRun(store.prisma, run.id, { status: i === 2 ? 'failed' : 'succeeded' });
      runs.push(run);
    }
    const parts = await store.sql((c) =>
      c.query<{ relname: string }>(
        `SELECT relname FROM pg_class WHERE relname IN ($1, $2, $3)`,
        ['observations', 'run_coverage', 'findings'].map((t) => `${t}_${runs[0]!.id.replace(/-/g, '')}`),
      ),
    );
    expect(parts.rows).toHaveLength(3);
    expect((await latestSucceededRun(store.prisma, scan.id))!.id).toBe(runs[3]!.id);
    const dry = await store.sql((c) => pruneRuns(c, { keepRuns: 1, dryRun: true }));
    expect(dry.map((r) => r.id)).toEqual(expect.arrayContaining(runs.slice(0, 3).map((r) => r.id)));
    const pruned = await store.sql((c) => pruneRuns(c, { keepRuns: 1 }));
    expect(pruned.map((r) => r.id)).toEqual(expect.arrayContaining(runs.slice(0, 3).map((r) => r.id)));
    expect(pruned.map((r) => r.id)).not.toContain(runs[3]!.id);
    expect(await getRun(store.prisma, runs[0]!.id)).toBeNull();
    const left = await store.sql((c) =>
      c.query<{ n: number }>(`SELECT count(*)::int AS n FROM observations WHERE run_id = ANY($1::uuid[])`, [
        runs.map((r) => r.id),
      ]),
    );
    expect(left.rows[0]!.n).toBe(10);
    const gone = await store.sql((c) =>
      c.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [`observations_${runs[0]!.id.replace(/-/g, '')}`]),
    );
    expect(gone.rows).toHaveLength(0);
    // The newest succeeded run of a scan is the next run's baseline: kept even past --keep-runs.
    const failed = (await createRun(store.prisma, { trigger: 'cli', scanDefinitionId: scan.id })).run;
    await finishRun(store.prisma, failed.id, { status: 'failed' });
    expect((await store.sql((c) => pruneRuns(c, { keepRuns: 1 }))).map((r) => r.id)).toEqual([]);
  });

  it('round-trips a contract observation, slices the run by host, and expands coverage back into every cell', async () => {
    const run = (await createRun(store.prisma, { trigger: 'cli' })).run;
    const obs: Observation = {
      host: 'snmp1.lab',
      address: '127.20.0.5',
      proto: 'udp',
      port: 161,
      service: 'snmp',
      state: 'LISTENING',
      reason: 'protocol-response',
      rttMs: 0.4,
      observedAt: new Date().toISOString(),
      protocol: { name: 'snmp', status: 'success', durationMs: 12 },
      snmp: { communities: ['public'], rejectedCount: 0 },
      netbios: { names: [], mac: '00:11:22:33:44:55' },
      evidence: 'sysDescr=Linux',
    };
    await ingest(
      run.id,
      [observationToRow(obs)],
      [
        { ...cov('127.20.0.5', 'udp', [[160, 162]]), host: 'snmp1.lab' },
        cov('127.20.0.6', 'tcp', [[22, 23]]),
      ],
    );
    const round = await store.sql((c) => runObservationsBetween(c, run.id, '127.20.0.5', '127.20.0.5'));
    expect(round).toEqual([obs]);
    const slices: HostSlice[] = [];
    await store.sql(async (c) => {
      for await (const s of runHostSlices(c, run.id, 1)) slices.push(s);
    });
    expect(slices).toEqual([
      { first: '127.20.0.5', last: '127.20.0.5', hosts: 1 },
      { first: '127.20.0.6', last: '127.20.0.6', hosts: 1 },
    ]);
    // Host views of a slice: only views claiming one of the slice's probed addresses.
    const view = {
      takenAt: new Date('2026-12-01T00:00:00Z'),
      reportedBy: 'agent',
      sockets: [],
      problems: [],
    };
    await saveHostView(store.prisma, { ...view, hostname: 'six', addresses: ['127.20.0.6', '10.9.9.9'] });
    await saveHostView(store.prisma, { ...view, hostname: 'other', addresses: ['127.20.0.7'] });
    const views = await store.sql((c) => runHostViewsBetween(c, run.id, '127.20.0.6', '127.20.0.6'));
    expect([...views.keys()].sort()).toEqual(['10.9.9.9', '127.20.0.6']);
    expect(views.get('127.20.0.6')?.hostname).toBe('six');
    expect((await store.sql((c) => runHostViewsBetween(c, run.id, '127.20.0.5', '127.20.0.5'))).size).toBe(0);
    const needed = await store.sql((c) =>
      runCoverageBetween(c, run.id, '0', '9', { addresses: [], closedIn: { tcp: [[23, 23]], udp: [] } }),
    );
    expect(needed.map((c) => c.address)).toEqual(['127.20.0.6']);
    expect(needed[0]!.closed).toEqual([[22, 23]]);
    // Every cell: the stored row wins over the coverage range on 161; the rest expands as NOT LISTENING.
    const cells = await store.sql((c) =>
      queryObservations(c, { runId: run.id }, { limit: 10, offset: 0 }, (port) =>
        port === 22 ? 'ssh' : undefined,
      ),
    );
    expect(cells.total).toBe(5);
    expect(
      cells.items.map((o) => `${o.address} ${o.proto}/${o.port} ${o.state} ${o.host} ${o.service ?? ''}`),
    ).toEqual([
      '127.20.0.5 udp/160 NOT LISTENING snmp1.lab ',
      '127.20.0.5 udp/161 LISTENING snmp1.lab snmp',
      '127.20.0.5 udp/162 NOT LISTENING snmp1.lab ',
      '127.20.0.6 tcp/22 NOT LISTENING 127.20.0.6 ssh',
      '127.20.0.6 tcp/23 NOT LISTENING 127.20.0.6 ',
    ]);
    expect(cells.items[0]!.reason).toBe('icmp-port-unreachable');
    expect(cells.items[3]!.reason).toBe('conn-refused');
    const listening = await store.sql((c) =>
      queryObservations(
        c,
        { runId: run.id, state: ['LISTENING'] },
        { limit: 10, offset: 0 },
        () => undefined,
      ),
    );
    expect(listening.total).toBe(1);
  });

  it('replaces a run’s findings atomically and filters them in SQL', async () => {
    const run = (await createRun(store.prisma, { trigger: 'cli' })).run;
    const base = { host: 'h', title: 't', evidence: { community: 'public' }, status: 'new' as const };
    const findings: Finding[] = [
      {
        ...base,
        key: 'k1',
        rule: 'snmp.community.public',
        severity: 'critical',
        address: '10.0.0.1',
        proto: 'udp',
        port: 161,
        tags: ['dc'],
        references: ['CVE-2002-0012'],
      },
      {
        ...base,
        key: 'k2',
        rule: 'telnet.listening',
        severity: 'high',
        address: '10.0.1.2',
        proto: 'tcp',
        port: 23,
        tags: ['web'],
      },
      {
        ...base,
        key: 'k3',
        rule: 'ldap.anonymous-rootdse',
        severity: 'info',
        host: 'dc1.example',
        address: '10.0.0.3',
        tags: [],
        status: 'persisting',
      },
    ];
    const replace = () => store.sql((c) => replaceRunFindings(c, run.id, findings));
    expect(await replace()).toBe(3);
    expect(await replace()).toBe(3);
    const q = (
      filter: Omit<Parameters<typeof queryFindings>[1], 'runId'>,
      page?: { limit: number; offset: number },
    ) => store.sql((c) => queryFindings(c, { runId: run.id, ...filter }, page));
    const all = await q({});
    expect(all.total).toBe(3);
    expect(all.items.map((f) => f.severity)).toEqual(['critical', 'high', 'info']);
    expect(all.items[0]!.references).toEqual(['CVE-2002-0012']);
    expect((await q({ tag: ['web'] })).items.map((f) => f.key)).toEqual(['k2']);
    expect((await q({ host: ['10.0.0.3'] })).items[0]!.status).toBe('persisting');
    expect((await q({ host: ['DC1.example'] })).items.map((f) => f.key)).toEqual(['k3']);
    expect((await q({ host: ['10.0.0.0/24'] })).items.map((f) => f.key)).toEqual(['k1', 'k3']);
    expect((await q({ rule: ['snmp.*', 'telnet.listening'] })).items.map((f) => f.key)).toEqual(['k1', 'k2']);
    expect((await q({ rule: ['snmp_*'] })).total).toBe(0);
    expect((await q({ status: ['persisting'] })).items.map((f) => f.key)).toEqual(['k3']);
    expect(
      (await q({ severity: ['critical', 'high'] }, { limit: 1, offset: 1 })).items.map((f) => f.key),
    ).toEqual(['k2']);
    expect(
      (await store.sql((c) => selectFindings(c, { runId: run.id, host: ['10.0.1.0/24'] }))).map((f) => f.key),
    ).toEqual(['k2']);
    const summary = await store.sql((c) => summarizeFindings(c, { runId: run.id }));
    expect(summary[0]).toEqual({
      severity: 'critical',
      rule: 'snmp.community.public',
      status: 'new',
      count: 1,
      hosts: 1,
    });
  });

  it('lists waivers active at a time', async () => {
    const w = await createWaiver(store.prisma, {
      rule: 'telnet.listening',
      owner: 'ops',
      reason: 'legacy switch',
      expiresAt: new Date(Date.now() + 3_600_000),
      createdBy: 'admin',
    });
    expect((await activeWaivers(store.prisma)).map((x) => x.id)).toContain(w.id);
    expect(
      (await activeWaivers(store.prisma, new Date(Date.now() + 7_200_000))).map((x) => x.id),
    ).not.toContain(w.id);
    await revokeWaiver(store.prisma, w.id);
    expect((await activeWaivers(store.prisma)).map((x) => x.id)).not.toContain(w.id);
    await expect(
      createWaiver(store.prisma, {
        owner: 'o',
        reason: 'r',
        expiresAt: new Date(Date.now() + 1000),
        createdBy: 'a',
      }),
    ).rejects.toThrow(/needs a rule/);
  });

  it('appends to the audit log', async () => {
    await appendAudit(store.prisma, {
      actor: 'token:fq_abc',
      action: 'scan.start',
      target: 'scan:x',
      outcome: 'denied',
      ip: '10.1.1.1',
      details: { reason: 'viewer' },
    });
    const [entry] = await listAudit(store.prisma, { actor: 'token:fq_abc' });
    expect(entry).toMatchObject({
      action: 'scan.start',
      outcome: 'denied',
      ip: '10.1.1.1',
      details: { reason: 'viewer' },
    });
  });

  it('stores only the hash of an API token', async () => {
    const { token, info } = await createApiToken(store.prisma, { name: 'ci', role: 'operator' });
    expect(token).toMatch(/^fq_[A-Za-z0-9_-]{43}$/);
    expect(info).not.toHaveProperty('tokenHash');
    const stored = await store.prisma.apiToken.findUniqueOrThrow({ where: { id: info.id } });
    expect(stored.tokenHash).toBe(hashApiToken(token));
    expect(JSON.stringify(stored)).not.toContain(token.slice(3));
    expect((await verifyApiToken(store.prisma, token))!.role).toBe('operator');
    expect(await verifyApiToken(store.prisma, token + 'x')).toBeNull();
    await revokeApiToken(store.prisma, info.id);
    expect(await verifyApiToken(store.prisma, token)).toBeNull();
  });

  it('keeps credentials encrypted at rest and refuses the wrong key', async () => {
    const key = loadCredentialKey({ [CREDENTIAL_KEY_ENV]: randomBytes(32).toString('base64') });
    const secret = `community-${randomBytes(6).toString('hex')}`;
    const info = await createCredential(store.prisma, key, {
      kind: 'snmp_community',
      name: `lab-${kind}`,
      secret,
    });
    expect(info).not.toHaveProperty('ciphertext');
    const raw = await store.prisma.credential.findUniqueOrThrow({ where: { id: info.id } });
    expect(Buffer.from(raw.ciphertext).includes(Buffer.from(secret))).toBe(false);
    const dump = await store.prisma.$queryRawUnsafe<unknown[]>('SELECT * FROM credentials');
    expect(JSON.stringify(dump, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(secret);
    expect(await readCredentialSecret(store.prisma, key, info.id)).toBe(secret);
    expect((await listCredentials(store.prisma)).map((c) => c.name)).toContain(`lab-${kind}`);
    const wrong = loadCredentialKey({ [CREDENTIAL_KEY_ENV]: randomBytes(32).toString('hex') });
    const failure = readCredentialSecret(store.prisma, wrong, info.id);
    await expect(failure).rejects.toThrow(/FLEETQRY_CREDENTIAL_KEY/);
    await expect(readCredentialSecret(store.prisma, wrong, info.id)).rejects.not.toThrow(secret);
  });
});

describe('createStore errors', () => {
  it('names an unreachable database without its password', async () => {
    const started = Date.now();
    const error = await createStore({
      databaseUrl: 'postgres://app:hunter2@127.0.0.1:1/nope',
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConnectError);
    expect((error as Error).message).toMatch(
      /cannot open the database postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/nope/,
    );
    expect((error as Error).message).not.toContain('hunter2');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a second process on the same embedded data dir', async () => {
    const tmp = await createTempDir();
    const { writeFileSync } = await import('node:fs');
    // PID 1 is always alive: the store must not take over its lock.
    writeFileSync(`${tmp.dir}/pglite.lock`, '1');
    await expect(createStore({ dataDir: tmp.dir })).rejects.toThrow(/in use by process 1/);
    await tmp.remove();
  });
});
