import { randomBytes } from 'node:crypto';

import type { Finding } from '@fleetqry/contracts';

import { createStore, type Store } from '../client/create-store.js';
import { CREDENTIAL_KEY_ENV, loadCredentialKey } from '../credentials/credential-key.js';
import { createTempDir, createTempPostgres } from '../testing/temp-databases.js';
import {
  countFindingsByStatus,
  findingsPageByStatus,
  nthFindingKeyAfter,
  replaceRunFindings,
} from './findings.repository.js';
import { createRun } from './runs.repository.js';
import { listDeliveries, planDeliveries, recordDeliveryAttempt } from './webhook-deliveries.repository.js';
import { createWebhook, readWebhookSecret, updateWebhook } from './webhooks.repository.js';

const key = loadCredentialKey({ [CREDENTIAL_KEY_ENV]: randomBytes(32).toString('hex') });
const STATUSES = ['new', 'persisting', 'resolved', 'new', 'waived'] as const;

function finding(i: number): Finding {
  const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  return {
    key: `telnet.listening|${address}|tcp/23`,
    rule: 'telnet.listening',
    severity: 'high',
    host: address,
    address,
    proto: 'tcp',
    port: 23,
    title: 'Telnet is listening',
    evidence: { i },
    status: STATUSES[i % STATUSES.length]!,
    tags: [],
  };
}

describe.each(['pglite', 'postgres'] as const)('webhook records on %s', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (kind === 'postgres') {
      const db = await createTempPostgres();
      store = await createStore({ databaseUrl: db.url, migrate: true, poolSize: 2, connectTimeoutMs: 5000 });
      cleanup = db.drop;
    } else {
      const tmp = await createTempDir();
      store = await createStore({ dataDir: tmp.dir });
      cleanup = tmp.remove;
    }
  }, 120_000);
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  it('seals the secret (bound to the webhook id), keeps it on an update without one', async () => {
    const a = await createWebhook(store.prisma, key, {
      name: `a-${kind}`,
      url: 'http://127.0.0.1/h',
      format: 'json',
      events: ['violations.new'],
      enabled: true,
      secret: 'webhook-secret-0123456789',
    });
    expect(a).not.toHaveProperty('ciphertext');
    expect(a.hasSecret).toBe(true);
    const row = await store.prisma.webhook.findUniqueOrThrow({ where: { id: a.id } });
    expect(Buffer.from(row.ciphertext!).includes(Buffer.from('webhook-secret'))).toBe(false);
    expect(await readWebhookSecret(store.prisma, key, a.id)).toBe('webhook-secret-0123456789');

    await updateWebhook(store.prisma, key, a.id, {
      name: `a-${kind}`,
      url: 'http://127.0.0.2/h',
      format: 'json',
      events: ['violations.resolved'],
      enabled: false,
    });
    expect(await readWebhookSecret(store.prisma, key, a.id)).toBe('webhook-secret-0123456789');

    // A ciphertext copied onto another webhook does not open there (the id is the AAD).
    const b = await createWebhook(store.prisma, key, {
      name: `b-${kind}`,
      url: 'http://127.0.0.1/h',
      format: 'slack',
      events: ['violations.new'],
      enabled: true,
    });
    expect(b.hasSecret).toBe(false);
    expect(await readWebhookSecret(store.prisma, key, b.id)).toBeNull();
    await store.prisma.webhook.update({
      where: { id: b.id },
      data: { ciphertext: row.ciphertext, iv: row.iv, authTag: row.authTag, keyId: row.keyId },
    });
    await expect(readWebhookSecret(store.prisma, key, b.id)).rejects.toThrow(/wrong key or tampered/);
  });

  it('pages a run of 2,500 findings by status with keyset reads: every finding once, in key order', async () => {
    const { run } = await createRun(store.prisma, { trigger: 'cli' });
    const all = Array.from({ length: 2500 }, (_, i) => finding(i));
    await store.sql((conn) => replaceRunFindings(conn, run.id, all));
    const counts = await store.sql((conn) => countFindingsByStatus(conn, run.id));
    expect(counts).toEqual({ new: 1000, persisting: 500, resolved: 500, waived: 500 });

    const size = 300;
    const keys: string[] = [];
    let after: string | null = null;
    for (let part = 0; part * size < counts.new; part++) {
      const page = await store.sql((conn) => findingsPageByStatus(conn, run.id, 'new', after, size));
      expect(page.length).toBe(Math.min(size, counts.new - part * size));
      expect(page.every((f) => f.status === 'new')).toBe(true);
      keys.push(...page.map((f) => f.key));
      // The boundary read gives the page's last key without loading the page.
      const boundary = await store.sql((conn) => nthFindingKeyAfter(conn, run.id, 'new', after, size));
      expect(boundary).toBe(page.length === size ? page.at(-1)!.key : null);
      after = page.at(-1)!.key;
    }
    const expected = all.filter((f) => f.status === 'new').map((f) => f.key);
    expect(keys).toEqual([...expected].sort());
    expect(new Set(keys).size).toBe(expected.length);
  }, 60_000);

  it('plans deliveries once (a repeated fan-out finds them) and records attempts', async () => {
    const hook = await createWebhook(store.prisma, key, {
      name: `c-${kind}`,
      url: 'http://127.0.0.1/h',
      format: 'json',
      events: ['violations.new'],
      enabled: true,
      secret: 'another-secret-0123456789',
    });
    const { run } = await createRun(store.prisma, { trigger: 'cli' });
    const plans = [0, 1].map((part) => ({
      webhookId: hook.id,
      runId: run.id,
      event: 'violations.new',
      part,
      parts: 2,
      findingStatus: 'new' as const,
      afterKey: part ? 'k' : null,
      size: 10,
    }));
    const first = await planDeliveries(store.prisma, plans);
    const again = await planDeliveries(store.prisma, plans);
    expect(again.map((d) => d.id)).toEqual(first.map((d) => d.id));
    expect(first.map((d) => [d.part, d.status, d.afterKey])).toEqual([
      [0, 'queued', null],
      [1, 'queued', 'k'],
    ]);
    await recordDeliveryAttempt(store.prisma, first[0]!.id, {
      status: 'retrying',
      attempts: 1,
      responseCode: 500,
      error: 'HTTP 500',
    });
    await recordDeliveryAttempt(store.prisma, first[0]!.id, {
      status: 'succeeded',
      attempts: 2,
      responseCode: 200,
      error: null,
    });
    const listed = await listDeliveries(store.prisma, hook.id);
    const done = listed.find((d) => d.id === first[0]!.id)!;
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, responseCode: 200, error: null });
    expect(done.finishedAt).toBeInstanceOf(Date);
  });
});
