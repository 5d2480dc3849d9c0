import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

import { WebhookPayloadSchema, type WebhookPayload } from '@fleetqry/contracts';
import { createInventory, createScanDefinition } from '@fleetqry/store';

import {
  deleteRedisPrefix,
  probeJobStates,
  startWorker,
  stopWorker,
  waitFor,
  waitForWorkers,
  type WorkerProcess,
} from '../dispatch/testing/distributed-harness.js';
import { runCli } from '../testing/run-cli.js';
import { startTestApp, type Body, type TestApp } from '../testing/test-app.js';
import { SMTPD, startOpenSmtpd, type SmtpServer } from './testing/opensmtpd.js';
import { startReceiver, type Receiver } from './testing/receivers.js';

/**
 * Alerts on change end to end: the real controller (AppModule, in this process) and a worker process scan
 * part of the fleet lab plus a telnet listener this test owns on its own loopback address; receivers on
 * the test's loopback addresses verify signatures and bodies; a private OpenSMTPD takes the e-mail. Three
 * runs of one scan: the first reports what is new, the second (identical) sends no violations, and after
 * the listener stops the third reports exactly it as resolved. Nothing of the shared lab is stopped.
 */
const NET = '127.115.0'; // this test's own loopback addresses
const TELNET = `${NET}.23`;
const SECRET = 'wh-secret-8f2c1d9e4b7a';
const LAB_TARGETS = ['127.30.0.1-127.30.0.8'];
const ABSENT = 'fq-absent.lab.fleetqry.test'; // the lab's domain; its dnsmasq answers NXDOMAIN
const JOB_KEY = randomBytes(32).toString('base64url'); // the controller signs probe jobs, the worker verifies
const requireDaemons = process.env.FLEETQRY_REQUIRE_DAEMONS === '1';
const mailTest = existsSync(SMTPD) || requireDaemons ? it : it.skip;
if (!existsSync(SMTPD) && !requireDaemons)
  console.warn(`webhooks e-mail test skipped: ${SMTPD} not installed`);

let app: TestApp;
let worker: WorkerProcess | undefined;
let smtp: SmtpServer | undefined;
let telnet: Server | undefined;
let json: Receiver;
let slack: Receiver;
let flaky: Receiver;
let redirecting: Receiver;
let redirectTarget: Receiver;
let failures: Receiver;
let scanId: string;
let unresolvableScanId: string;
const hooks: Record<string, string> = {};
const runs: string[] = [];

async function freePort(address: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, address, r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startTelnet(): Promise<Server> {
  const s = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => s.once('error', reject).listen(23, TELNET, resolve));
  return s;
}

async function run(): Promise<string> {
  const started = await app.call('POST', '/runs', { body: { scanDefinitionId: scanId } });
  expect(started.status).toBe(202);
  const id = started.body.id as string;
  const done = await waitFor(
    `run ${id}`,
    async () => {
      const r = await app.call('GET', `/runs/${id}`);
      return r.body.status !== 'queued' && r.body.status !== 'running' ? r.body : undefined;
    },
    120_000,
    500,
  ).catch(async (e: Error) => {
    const r = await app.call('GET', `/runs/${id}`);
    const jobs = await probeJobStates(app.config.queuePrefix, id);
    throw new Error(`${e.message}: ${r.raw}\n${jobs}\n${worker!.output.slice(-20).join('\n')}`);
  });
  expect(done.status).toBe('succeeded');
  runs.push(id);
  return id;
}

async function deliveries(hook: string): Promise<Body[]> {
  const r = await app.call('GET', `/webhooks/${hooks[hook]}/deliveries?limit=1000`);
  expect(r.status).toBe(200);
  return r.body as Body[];
}

/** Waits until every delivery of the run to the hook is finished, and returns them. */
async function settled(hook: string, runId: string, atLeast = 1): Promise<Body[]> {
  return waitFor(
    `${hook}'s deliveries of run ${runId}`,
    async () => {
      const mine = (await deliveries(hook)).filter((d) => d.runId === runId);
      return mine.length >= atLeast && mine.every((d) => d.status === 'succeeded' || d.status === 'failed')
        ? mine
        : undefined;
    },
    60_000,
    300,
  );
}

/** The signed JSON bodies a receiver got for one run, each checked against its signature and headers. */
function verifiedBodies(r: Receiver, runId: string): WebhookPayload[] {
  return r.requests
    .map((req) => {
      const expected = `sha256=${createHmac('sha256', SECRET).update(req.raw).digest('hex')}`;
      expect(req.headers['x-fleetqry-signature-256']).toBe(expected);
      expect(req.headers['content-type']).toBe('application/json');
      const body = WebhookPayloadSchema.parse(JSON.parse(req.raw.toString('utf8')));
      expect(req.headers['x-fleetqry-event']).toBe(body.event);
      expect(req.headers['x-fleetqry-delivery']).toBe(body.deliveryId);
      return body;
    })
    .filter((b) => b.run.id === runId);
}

const cellOf = (v: { host: string; rule: string; proto: string | null; port: number | null }) =>
  `${v.rule} ${v.host} ${v.proto ?? ''}/${v.port ?? ''}`;

async function findingCells(runId: string, status: string): Promise<string[]> {
  const r = await app.call('GET', `/findings?run=${runId}&status=${status}&limit=1000`);
  expect(r.status).toBe(200);
  return (r.body.items as Body[])
    .map((f) => cellOf({ ...f, proto: f.proto ?? null, port: f.port ?? null }))
    .sort();
}

/** A scan definition (baseline policy) of its own inventory, both named `name`. */
async function scanDefinition(name: string, targets: string[], ports: { tcp?: string; udp?: string }) {
  const inventory = await createInventory(app.store.prisma, {
    name,
    document: { version: 1, targets, ports },
  });
  const definition = await createScanDefinition(app.store.prisma, {
    name,
    inventoryId: inventory.id,
    policy: 'baseline',
  });
  return definition.id;
}

beforeAll(async () => {
  const smtpPort = await freePort(`${NET}.25`);
  if (existsSync(SMTPD) || requireDaemons) smtp = await startOpenSmtpd(`${NET}.25`, smtpPort);
  app = await startTestApp({
    FLEETQRY_JOB_KEY: JOB_KEY,
    FLEETQRY_WEBHOOK_ALLOW: `${NET}.0/24`,
    FLEETQRY_WEBHOOK_ATTEMPTS: '4',
    FLEETQRY_WEBHOOK_BACKOFF_MS: '200',
    FLEETQRY_WEBHOOK_BATCH: '2',
    FLEETQRY_WEBHOOK_TIMEOUT_MS: '5000',
    FLEETQRY_SMTP_URL: `smtp://${NET}.25:${smtpPort}`,
    FLEETQRY_SMTP_FROM: 'fleetqry <alerts@fleetqry.test>',
    FLEETQRY_CONSOLE_URL: 'http://console.fleetqry.test',
    FLEETQRY_EXCLUDE_PORTS: '2024',
    FLEETQRY_DNS_SERVERS: '127.30.0.7',
    FLEETQRY_RECONCILE_MS: '1000',
    FLEETQRY_JOB_BACKOFF_MS: '200',
  });
  worker = startWorker({
    REDIS_URL: 'redis://127.0.0.1:6379',
    FLEETQRY_QUEUE_PREFIX: app.config.queuePrefix,
    FLEETQRY_CONTROLLER_URL: app.url,
    FLEETQRY_WORKER_TOKEN: app.workerToken,
    FLEETQRY_JOB_KEY: JOB_KEY,
    FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
    FLEETQRY_WORKER_RATE: '500',
    FLEETQRY_JOB_BACKOFF_MS: '200',
    FLEETQRY_SHUTDOWN_GRACE_MS: '3000',
  });
  await waitForWorkers([worker]);

  json = await startReceiver(`${NET}.10`);
  slack = await startReceiver(`${NET}.11`, () => ({ status: 200 }));
  flaky = await startReceiver(`${NET}.12`, (n) => ({ status: n < 2 ? 500 : 200 }));
  redirectTarget = await startReceiver(`${NET}.14`);
  redirecting = await startReceiver(`${NET}.13`, () => ({
    status: 302,
    headers: { location: redirectTarget.url },
  }));
  failures = await startReceiver(`${NET}.15`);
  telnet = await startTelnet();

  scanId = await scanDefinition('webhooks-lab', [...LAB_TARGETS, TELNET], { tcp: '21-23', udp: '161' });
  // Names under the lab's domain, which the lab's dnsmasq (FLEETQRY_DNS_SERVERS) answers NXDOMAIN for.
  unresolvableScanId = await scanDefinition('webhooks-unresolvable', [ABSENT], { tcp: '22' });
}, 240_000);

afterAll(async () => {
  if (worker) await stopWorker(worker);
  await app?.close();
  await Promise.all([json, slack, flaky, redirecting, redirectTarget, failures].map((r) => r?.close()));
  if (telnet?.listening) await new Promise((r) => telnet!.close(r));
  await smtp?.stop();
  if (app) await deleteRedisPrefix(app.config.queuePrefix);
}, 60_000);

describe('webhooks API', () => {
  it('refuses destinations outside FLEETQRY_WEBHOOK_ALLOW, and unsigned json, naming the field', async () => {
    const outside = await app.call('POST', '/webhooks', {
      body: {
        name: 'outside',
        url: 'http://127.116.0.1:8080/hook',
        secret: SECRET,
        events: ['violations.new'],
      },
    });
    expect(outside.status).toBe(400);
    expect(outside.body.issues).toEqual([
      { path: 'url', message: '127.116.0.1 is not in FLEETQRY_WEBHOOK_ALLOW' },
    ]);
    const unsigned = await app.call('POST', '/webhooks', {
      body: { name: 'unsigned', url: json.url, events: ['violations.new'] },
    });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.message).toMatch(/secret: json webhooks are signed/);
    const badEvent = await app.call('POST', '/webhooks', {
      body: { name: 'bad', url: json.url, secret: SECRET, events: ['violations.changed'] },
    });
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.message).toMatch(/events\[0\]/);
    const viewer = await app.call('GET', '/webhooks', { token: null });
    expect(viewer.status).toBe(401);
    expect(await app.store.prisma.webhook.count()).toBe(0);
  });

  it('creates webhooks (201, id), never returns the secret, and stores it sealed', async () => {
    const create = async (name: string, body: object) => {
      const r = await app.call('POST', '/webhooks', { body: { name, ...body } });
      expect(r.status).toBe(201);
      expect(r.raw).not.toContain(SECRET);
      hooks[name] = r.body.id as string;
      return r.body;
    };
    const created = await create('json', {
      url: json.url,
      secret: SECRET,
      events: ['violations.new', 'violations.resolved', 'run.completed'],
    });
    expect(created).toMatchObject({ format: 'json', enabled: true, hasSecret: true });
    expect(created.secret).toBeUndefined();
    await create('slack', {
      url: slack.url,
      format: 'slack',
      events: ['violations.new', 'violations.resolved'],
    });
    await create('flaky', { url: flaky.url, secret: SECRET, events: ['run.completed'] });
    await create('redirect', { url: redirecting.url, secret: SECRET, events: ['run.completed'] });
    if (smtp)
      await create('mail', {
        url: 'mailto:ops@fleetqry.test,audit@fleetqry.test',
        format: 'email',
        events: ['violations.new', 'violations.resolved'],
      });

    const list = await app.call('GET', '/webhooks');
    expect(list.status).toBe(200);
    expect(list.raw).not.toContain(SECRET);
    expect((list.body as Body[]).map((h) => h.name).sort()).toEqual(Object.keys(hooks).sort());
    const row = await app.store.prisma.webhook.findUniqueOrThrow({ where: { id: hooks['json'] } });
    expect(Buffer.from(row.ciphertext!).includes(Buffer.from(SECRET))).toBe(false);
    expect(row.keyId).toBe(app.config.credentialKey.id);

    // PUT replaces; without a secret the stored one stays (the signatures below still verify).
    const put = await app.call('PUT', `/webhooks/${hooks['json']}`, {
      body: {
        name: 'json',
        url: json.url,
        events: ['violations.new', 'violations.resolved', 'run.completed'],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.hasSecret).toBe(true);
  });
});

describe('alerts on change across three runs of the lab', () => {
  it('run 1: violations.new once, split into signed parts that are exactly the new findings', async () => {
    const id = await run();
    const expected = await findingCells(id, 'new');
    expect(expected).toContain(`telnet.listening ${TELNET} tcp/23`);
    expect(expected.length).toBeGreaterThan(2); // more than one part at FLEETQRY_WEBHOOK_BATCH=2

    const done = await settled('json', id, Math.ceil(expected.length / 2) + 1);
    expect(done.every((d) => d.status === 'succeeded' && d.attempts === 1 && d.responseCode === 204)).toBe(
      true,
    );
    const bodies = verifiedBodies(json, id);
    const news = bodies.filter((b) => b.event === 'violations.new');
    expect(news).toHaveLength(Math.ceil(expected.length / 2));
    expect(news.every((b) => b.violations.length <= 2 && b.parts === news.length)).toBe(true);
    expect(news.map((b) => b.part).sort()).toEqual([...news.keys()]);
    expect(news.flatMap((b) => b.violations.map(cellOf)).sort()).toEqual(expected);
    expect(news.flatMap((b) => b.violations).every((v) => v.status === 'new')).toBe(true);
    expect(bodies.filter((b) => b.event === 'violations.resolved')).toHaveLength(0);
    const completed = bodies.filter((b) => b.event === 'run.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.run).toMatchObject({ id, scan: 'webhooks-lab', status: 'succeeded' });
    expect(new Set(bodies.map((b) => b.deliveryId)).size).toBe(bodies.length);

    // Slack: one message with the summary and the top findings.
    await settled('slack', id);
    expect(slack.requests).toHaveLength(1);
    const message = JSON.parse(slack.requests[0]!.raw.toString('utf8')) as {
      text: string;
      attachments: Body[];
    };
    expect(message.text).toContain(`${expected.length} new violations`);
    expect(message.text).toContain(`<http://console.fleetqry.test/ui/report?run=${id}|open in the console>`);
    expect(message.attachments[0].text).toContain('telnet.listening');
  }, 180_000);

  it('retries a receiver that answers 500 twice, with backoff, and succeeds on the third attempt', async () => {
    const [d] = await settled('flaky', runs[0]!);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3, responseCode: 200, event: 'run.completed' });
    expect(flaky.requests).toHaveLength(3);
    const ids = new Set(flaky.requests.map((r) => r.headers['x-fleetqry-delivery']));
    expect(ids.size).toBe(1); // one delivery, three attempts
    // Exponential backoff at 200 ms: at least 200 ms, then 400 ms between attempts.
    const [a, b, c] = flaky.requests.map((r) => r.at);
    expect(b! - a!).toBeGreaterThanOrEqual(190);
    expect(c! - b!).toBeGreaterThanOrEqual(390);
  }, 60_000);

  it('does not follow redirects: the delivery fails after its last attempt, in deliveries and metrics', async () => {
    const [d] = await settled('redirect', runs[0]!);
    expect(d).toMatchObject({ status: 'failed', attempts: 4, responseCode: 302 });
    expect(d.error).toMatch(/redirect to .* not followed/);
    expect(redirecting.requests).toHaveLength(4);
    expect(redirectTarget.requests).toHaveLength(0);
    const metrics = await app.call('GET', '/metrics', { token: null });
    expect(metrics.raw).toMatch(/fleetqry_webhook_deliveries_failed_total\{format="json"\} [1-9]/);
    expect(metrics.raw).toMatch(/fleetqry_webhook_attempts_total\{format="json",outcome="retried"\} [1-9]/);
  }, 60_000);

  mailTest(
    'e-mails a digest with the counts and the console link to the real SMTP server',
    async () => {
      const [d] = await settled('mail', runs[0]!);
      expect(d).toMatchObject({ status: 'succeeded', attempts: 1, event: 'run.completed' });
      expect(d.responseCode).toBe(250);
      const newCount = (await findingCells(runs[0]!, 'new')).length;
      const mail = await waitFor(
        'the digest in the maildir',
        async () => smtp!.messages().length === 2 && smtp!.messages(),
        20_000,
      );
      // One message per recipient mailbox (both land in the same maildir here).
      for (const m of mail) {
        expect(m.headers['subject']).toMatch(
          new RegExp(`^\\[fleetqry\\] fleetqry run #\\d+ \\(webhooks-lab\\): ${newCount} new, 0 resolved$`),
        );
        expect(m.headers['from']).toBe('fleetqry <alerts@fleetqry.test>');
        expect(m.body).toContain(`New violations: ${newCount}`);
        expect(m.body).toContain('Resolved violations: 0');
        expect(m.body).toContain(`HIGH telnet.listening on ${TELNET} tcp/23`);
        expect(m.body).toContain(`Console: http://console.fleetqry.test/ui/report?run=${runs[0]}`);
      }
      expect(mail.map((m) => m.headers['delivered-to']).sort()).toEqual([
        'audit@fleetqry.test',
        'ops@fleetqry.test',
      ]);
    },
    60_000,
  );

  it('run 2 (identical): neither violations.new nor violations.resolved is sent', async () => {
    const id = await run();
    expect(await findingCells(id, 'new')).toEqual([]);
    expect(await findingCells(id, 'resolved')).toEqual([]);
    // run.completed still fires (subscribed): once it is delivered, the run's fan-out is complete.
    const done = await settled('json', id);
    expect(done.map((d) => d.event)).toEqual(['run.completed']);
    expect(verifiedBodies(json, id).map((b) => b.event)).toEqual(['run.completed']);
    expect((await deliveries('slack')).filter((d) => d.runId === id)).toEqual([]);
    if (smtp) {
      expect((await deliveries('mail')).filter((d) => d.runId === id)).toEqual([]);
      expect(smtp.messages()).toHaveLength(2);
    }
  }, 180_000);

  it('run 3 (telnet listener stopped): exactly it is resolved, nothing new', async () => {
    await new Promise((r) => telnet!.close(r));
    const id = await run();
    expect(await findingCells(id, 'resolved')).toEqual([`telnet.listening ${TELNET} tcp/23`]);
    const done = await settled('json', id, 2);
    expect(done.map((d) => d.event).sort()).toEqual(['run.completed', 'violations.resolved']);
    const resolved = verifiedBodies(json, id).filter((b) => b.event === 'violations.resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.violations).toEqual([
      expect.objectContaining({
        host: TELNET,
        rule: 'telnet.listening',
        status: 'resolved',
        proto: 'tcp',
        port: 23,
      }),
    ]);
    expect(verifiedBodies(json, id).filter((b) => b.event === 'violations.new')).toHaveLength(0);
    await settled('slack', id);
    const last = JSON.parse(slack.requests.at(-1)!.raw.toString('utf8')) as { text: string };
    expect(last.text).toContain('1 violation resolved');
    if (smtp) {
      await settled('mail', id);
      const mail = await waitFor(
        'the second digest',
        async () => smtp!.messages().length === 4 && smtp!.messages(),
        20_000,
      );
      expect(mail.slice(2).every((m) => /: 0 new, 1 resolved$/.test(m.headers['subject'] ?? ''))).toBe(true);
      expect(mail[2]!.body).toContain(`Resolved (1):\n  - HIGH telnet.listening on ${TELNET} tcp/23`);
    }
  }, 180_000);
});

describe('run.failed', () => {
  it('a run none of whose names resolves fails at once; run.failed carries why, signed', async () => {
    const hook = await app.call('POST', '/webhooks', {
      body: { name: 'failures', url: failures.url, secret: SECRET, events: ['run.failed'] },
    });
    expect(hook.status).toBe(201);
    hooks['failures'] = hook.body.id as string;
    const started = await app.call('POST', '/runs', { body: { scanDefinitionId: unresolvableScanId } });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('failed');
    const id = started.body.id as string;
    const error = `no target could be probed (1 failed at plan time): cannot resolve "${ABSENT}": no such name`;
    const run = await app.call('GET', `/runs/${id}`);
    expect(run.body).toMatchObject({
      status: 'failed',
      error,
      planFailures: [{ given: ABSENT, error: `cannot resolve "${ABSENT}": no such name` }],
    });

    const [delivery] = await settled('failures', id);
    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      responseCode: 204,
      event: 'run.failed',
    });
    const bodies = verifiedBodies(failures, id);
    expect(bodies).toEqual([
      {
        event: 'run.failed',
        deliveryId: delivery!.id,
        run: {
          id,
          number: started.body.number,
          scan: 'webhooks-unresolvable',
          status: 'failed',
          finishedAt: run.body.finishedAt,
          error,
        },
        part: 0,
        parts: 1,
        violations: [],
      },
    ]);
    // Only its subscribers hear of it.
    for (const other of ['json', 'slack', 'flaky', 'redirect'])
      expect((await deliveries(other)).filter((d) => d.runId === id)).toEqual([]);
  }, 60_000);
});

describe('fleetqry webhooks (CLI)', () => {
  const cli = (...args: string[]) =>
    runCli(['--server', app.url, '--token', app.adminToken, 'webhooks', ...args], {
      env: { HOOK_SECRET: SECRET },
    });

  it('adds, lists, shows deliveries and removes', async () => {
    const added = await cli(
      'add',
      '--name',
      'cli-hook',
      '--url',
      json.url,
      '--secret-env',
      'HOOK_SECRET',
      '--events',
      'violations.new,run.failed',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain(SECRET);
    const id = /^[0-9a-f-]{36}$/m.exec(added.stdout)?.[0];
    expect(id).toBeDefined();

    const listed = await cli('list', '--format', 'json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as Body[]).map((h) => h.name)).toContain('cli-hook');
    const text = await cli('list');
    expect(text.stdout).toMatch(/cli-hook\s+json\s+violations\.new,run\.failed/);

    const shown = await cli('deliveries', hooks['json']!, '--format', 'json');
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as Body[]).length).toBe((await deliveries('json')).length);

    const refused = await cli(
      'add',
      '--name',
      'x',
      '--url',
      'http://127.116.0.1/h',
      '--secret-env',
      'HOOK_SECRET',
      '--events',
      'run.failed',
    );
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/url: 127\.116\.0\.1 is not in FLEETQRY_WEBHOOK_ALLOW/);

    const removed = await cli('remove', id!);
    expect(removed.code).toBe(0);
    expect((await app.call('GET', `/webhooks/${id}`)).status).toBe(404);
  }, 60_000);
});
