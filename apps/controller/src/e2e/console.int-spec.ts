import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { HtmlValidate } from 'html-validate';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import {
  deleteRedisPrefix,
  loadGroundTruth,
  REPO_ROOT,
  tempPostgres,
  uniquePrefix,
  waitFor,
} from '../dispatch/testing/distributed-harness.js';
import { axeProblems, launchChromium } from '../testing/browser.js';
import { freePort, runProcess, running, startProcess, stopProcess, type Proc } from '../testing/processes.js';

/**
 * The web console in a real browser (Debian's Chromium through playwright-core): the controller and a worker
 * as separate processes serving the built console (apps/web/dist), real Postgres and Redis, scans of the
 * fleet lab (loopback only). Every page is checked with axe-core (no serious or critical violation) and
 * saved as a screenshot under apps/web/test-results/.
 */
const truth = loadGroundTruth();
const CIDR = `${truth.net}.0/26`;
const inCidr = (a: string) => Number(a.split('.')[3]) < 64;
const publicHosts = truth.hosts
  .filter(
    (h) =>
      inCidr(h.address) &&
      h.snmp !== null &&
      'public' in h.snmp.communities &&
      h.snmp.versions.some((v) => v === 'v1' || v === 'v2c'),
  )
  .map((h) => h.address);
/** A lab host with LDAP (slapd) on 389: the Domains and Trusts query finds it listening. */
const LDAP_HOST = `${truth.net}.12`;
const RESULTS = join(REPO_ROOT, 'apps/web/test-results');

const adminToken = `fq_${randomBytes(32).toString('base64url')}`;
const prefix = uniquePrefix('console');

let db: { url: string; drop(): Promise<void> };
let base: string;
let controller: Proc | undefined;
let worker: Proc | undefined;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Content-Security-Policy violations and page errors seen by the browser, all tests long. */
const browserProblems: string[] = [];
const axeFindings: Record<string, string[]> = {};
let scanId: string;
/** The hosts run #1 flagged with snmp.community.public, as the API reports them (a subset of the lab's). */
let flagged: string[];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
async function api(method: string, path: string, body?: unknown, token = adminToken): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function waitForRun(id: string, timeoutMs = 180_000): Promise<{ status: string; number: number }> {
  return waitFor(
    `run ${id} to finish`,
    async () => {
      const run = (await api('GET', `/runs/${id}`)) as { status: string; number: number };
      return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : undefined;
    },
    timeoutMs,
    500,
  );
}

/** Screenshot of the page (full length) and its axe-core check, by name. */
async function checkPage(name: string, p: Page = page): Promise<void> {
  await p.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
  axeFindings[name] = await axeProblems(p);
  expect([name, axeFindings[name]]).toEqual([name, []]);
}

function watch(p: Page): void {
  p.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) browserProblems.push(`console: ${m.text()}`);
  });
  p.on('pageerror', (e) => browserProblems.push(`page error: ${e.message}`));
}

beforeAll(async () => {
  const lab = spawnSync('bash', ['tools/lab/lab.sh', 'status'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout;
  if (!/processes running/.test(lab))
    throw new Error(`the fleet lab is not up (bash tools/lab/lab.sh up): ${lab}`);
  mkdirSync(RESULTS, { recursive: true });
  db = await tempPostgres();
  const migrated = await runProcess([join(REPO_ROOT, 'libs/store/dist/migrator/cli.js')], {
    DATABASE_URL: db.url,
  });
  if (migrated.code !== 0) throw new Error(`migrator exited ${migrated.code}: ${migrated.stderr}`);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const workerToken = randomBytes(32).toString('hex');
  const jobKey = randomBytes(32).toString('hex');
  controller = startProcess('controller', [join(REPO_ROOT, 'apps/controller/dist/main.js')], {
    DATABASE_URL: db.url,
    REDIS_URL: 'redis://127.0.0.1:6379',
    FLEETQRY_QUEUE_PREFIX: prefix,
    FLEETQRY_ADMIN_TOKEN: adminToken,
    FLEETQRY_CREDENTIAL_KEY: randomBytes(32).toString('hex'),
    FLEETQRY_WORKER_TOKEN: workerToken,
    FLEETQRY_JOB_KEY: jobKey,
    FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
    FLEETQRY_PORT: String(port),
    FLEETQRY_HOST: '127.0.0.1',
    FLEETQRY_LOG_LEVEL: 'warn',
    FLEETQRY_CHUNK_PROBES: '2000',
    FLEETQRY_RECONCILE_MS: '1000',
    FLEETQRY_RESULTS_GRACE_MS: '3000',
    FLEETQRY_EXCLUDE_PORTS: '2024',
    FLEETQRY_DNS_SERVERS: `${truth.net}.7`,
    FLEETQRY_REVERSE_DNS: 'false',
  });
  await waitFor(
    'controller /health',
    async () => {
      if (!running(controller!)) throw new Error('exited');
      return (await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) })).status === 200;
    },
    60_000,
    250,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; controller output:\n${controller!.text().slice(-4000)}`);
  });
  worker = startProcess('worker', [join(REPO_ROOT, 'apps/worker/dist/main.js')], {
    REDIS_URL: 'redis://127.0.0.1:6379',
    FLEETQRY_QUEUE_PREFIX: prefix,
    FLEETQRY_CONTROLLER_URL: base,
    FLEETQRY_WORKER_TOKEN: workerToken,
    FLEETQRY_JOB_KEY: jobKey,
    FLEETQRY_SCOPE_ALLOW: '127.0.0.0/8',
    FLEETQRY_WORKER_PORT: '0',
    FLEETQRY_WORKER_HOST: '127.0.0.1',
    FLEETQRY_RESULT_FLUSH_MS: '500',
    FLEETQRY_SHUTDOWN_GRACE_MS: '3000',
  });
  await waitFor('worker ready', async () => worker!.text().includes('worker ready'), 60_000).catch(
    (e: Error) => {
      throw new Error(`${e.message}: ${worker!.text().slice(-2000)}`);
    },
  );

  // The lab's first quarter: SNMP, FTP and telnet (baseline rules), scheduled nightly in Berlin time.
  const inventory = await api('POST', '/inventories', {
    name: 'lab-console',
    owner: 'ops',
    document: { version: 1, name: 'lab-console', targets: [CIDR], ports: { tcp: '21,23', udp: '161' } },
  });
  scanId = (
    await api('POST', '/scan-definitions', {
      name: 'lab nightly',
      inventoryId: inventory.id,
      policy: 'baseline',
      schedule: '0 3 * * *',
      timezone: 'Europe/Berlin',
    })
  ).id;
  // Long enough to cancel in the browser: 64 hosts × TCP 1-1024.
  await api('POST', '/scan-definitions', {
    name: 'lab full tcp',
    inventoryId: inventory.id,
    tcpPorts: '1-1024',
    udpPorts: null,
    policy: 'baseline',
  });
  const first = await api('POST', '/runs', { scanDefinitionId: scanId });
  expect((await waitForRun(first.id)).status).toBe('succeeded');
  const found = await api('GET', '/findings?rule=snmp.community.public&status=new&limit=1000');
  flagged = (found.items as { address: string }[]).map((f) => f.address).sort();
  // Which hosts answer within the SNMP timeout is the sweep tests' business (a loaded machine may miss
  // one); here every flagged host must be one that really answers `public`.
  expect(flagged.length).toBeGreaterThan(0);
  expect(flagged.filter((a) => !publicHosts.includes(a))).toEqual([]);

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  watch(page);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([worker, controller].filter((p): p is Proc => !!p).map((p) => stopProcess(p)));
  await db?.drop();
  await deleteRedisPrefix(prefix);
}, 90_000);

describe('the web console in Chromium', () => {
  it('serves the console at / under a strict CSP without shadowing the API', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await index.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    expect(html).not.toMatch(/https?:\/\//); // nothing from elsewhere
    expect((await fetch(`${base}/ui/report?rule=x`)).headers.get('content-type')).toMatch(/text\/html/);
    // The API keeps its paths: JSON and 401 without a token, docs and metrics as before.
    const runs = await fetch(`${base}/runs`);
    expect(runs.status).toBe(401);
    expect(runs.headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${base}/docs-json`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  it('logs in through the "API token" label; the token stays out of the URL', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'fleetqry console' }).waitFor();
    await checkPage('01-login');
    await page.getByLabel('API token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).not.toContain(adminToken);
    expect(await page.evaluate('sessionStorage.getItem("fleetqry.token")')).toBe(adminToken);
    expect(await page.evaluate('localStorage.length')).toBe(0);
  }, 60_000);

  it('overview: the latest run by severity and rule, new vs resolved, the trend chart', async () => {
    const summary = await api('GET', '/findings/summary?run=latest');
    const violations = (summary.groups as { status: string; count: number }[])
      .filter((g) => g.status === 'new' || g.status === 'persisting')
      .reduce((n, g) => n + g.count, 0);
    expect(violations).toBeGreaterThan(0);
    await page
      .getByTestId('violations-total')
      .filter({ hasText: String(violations) })
      .waitFor();
    await page.getByRole('link', { name: 'snmp.community.public' }).first().waitFor();
    expect(await page.getByTestId('new-count').textContent()).toBe(String(violations));
    expect(await page.getByTestId('resolved-count').textContent()).toBe('0');
    await page.locator('figure.chart canvas').first().waitFor();
    await checkPage('02-overview');
  }, 60_000);

  it('run report: filters kept in the URL, server-side paging, exports', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Run report' }).click();
    await page.getByRole('heading', { name: /Run report/ }).waitFor();
    await page.getByLabel('Rule').fill('snmp.community.public');
    await page.getByLabel('new').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/rule=snmp\.community\.public/);
    expect(page.url()).toMatch(/status=new/);
    await page
      .getByTestId('findings-total')
      .filter({ hasText: `${flagged.length} finding(s)` })
      .waitFor();
    // A shared link opens the same view.
    await page.reload();
    await page
      .getByTestId('findings-total')
      .filter({ hasText: `${flagged.length} finding(s)` })
      .waitFor();
    expect(await page.getByLabel('Rule').inputValue()).toBe('snmp.community.public');
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBe(flagged.length);
    await checkPage('03-report');

    // The HTML export: a download, valid, self-contained (loads nothing when opened).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export HTML' }).click(),
    ]);
    const file = join(RESULTS, 'report-export.html');
    await download.saveAs(file);
    const html = readFileSync(file, 'utf8');
    const validated = await new HtmlValidate({ extends: ['html-validate:recommended'] }).validateString(html);
    expect(validated.results.flatMap((r) => r.messages.map((m) => m.message))).toEqual([]);
    for (const address of flagged) expect(html).toContain(address);
    const offline = await context.newPage();
    const requests: string[] = [];
    offline.on('request', (r) => requests.push(r.url()));
    await offline.goto(`file://${file}`);
    await offline.pdf({ path: join(RESULTS, 'report-export.pdf'), format: 'A4' });
    await checkPage('03b-html-export', offline);
    await offline.close();
    expect(requests).toEqual([`file://${file}`]);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  }, 120_000);

  it('clicking a rule id lists the hosts that violate it', async () => {
    await page.getByRole('link', { name: 'snmp.community.public' }).first().click();
    await page.getByRole('heading', { name: /Hosts violating/ }).waitFor();
    await page.getByText(`${flagged.length} violation(s)`, { exact: false }).waitFor();
    const shown = await page.locator('table tbody tr td:first-child a').allTextContents();
    expect(shown.map((s) => s.split(' ')[0]).sort()).toEqual(flagged);
    await checkPage('04-rule-hosts');
  }, 60_000);

  it('creates a waiver from a finding; the next run shows the finding waived', async () => {
    const waived = flagged[0]!;
    await page.goto(`${base}/ui/report?rule=snmp.community.public&host=${waived}`);
    await page.getByRole('link', { name: `Waive snmp.community.public on ${waived}` }).click();
    await page.getByRole('heading', { name: 'Waivers', level: 1 }).waitFor();
    expect(await page.getByLabel('Address or CIDR').inputValue()).toBe(waived);
    await page.getByLabel('Owner').fill('network team');
    await page.getByLabel('Reason').fill('legacy printer, replaced in Q1');
    await page.getByRole('button', { name: 'Create waiver' }).click();
    await page.getByRole('cell', { name: 'legacy printer, replaced in Q1' }).waitFor();
    await checkPage('05-waivers');

    // Start the next run from the Runs page (operator action) and wait for it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    await page.getByLabel('Scan definition').selectOption({ label: 'lab nightly' });
    await page.getByRole('button', { name: 'Start scan' }).click();
    const started = await page
      .getByRole('status')
      .filter({ hasText: /Run #\d+/ })
      .textContent();
    const number = Number(/#(\d+)/.exec(started ?? '')![1]);
    const run = (await api('GET', `/runs/${number}`)) as { id: string };
    expect((await waitForRun(run.id)).status).toBe('succeeded');
    await page.goto(`${base}/ui/report?run=${number}&rule=snmp.community.public&host=${waived}`);
    await page.getByRole('cell', { name: 'waived' }).waitFor();
  }, 240_000);

  it('starts a run and cancels it, with live progress', async () => {
    await page.goto(`${base}/ui/runs`);
    await page.getByLabel('Scan definition').selectOption({ label: 'lab full tcp' });
    await page.getByRole('button', { name: 'Start scan' }).click();
    const started = await page
      .getByRole('status')
      .filter({ hasText: /Run #\d+/ })
      .textContent();
    const number = Number(/#(\d+)/.exec(started ?? '')![1]);
    const cancel = page.getByRole('button', { name: `Cancel run ${number}` });
    await cancel.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(RESULTS, '06-runs-running.png'), fullPage: true });
    await cancel.click();
    const run = (await api('GET', `/runs/${number}`)) as { id: string };
    expect((await waitForRun(run.id, 60_000)).status).toBe('cancelled');
    await page
      .getByRole('row', { name: new RegExp(`#${number}\\b.*cancelled`) })
      .waitFor({ timeout: 30_000 });
    await checkPage('06-runs');
  }, 120_000);

  it('diffs two runs', async () => {
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByRole('heading', { name: /Run #\d+ → run #\d+/ }).waitFor();
    await page.getByRole('heading', { name: /Persisting \(\d+\)/ }).waitFor();
    await checkPage('07-diff');
  }, 60_000);

  it('runs a Query of "Domains and Trusts" against a lab host through the worker', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Query' }).click();
    await page.getByLabel('Target (address or name)').fill(LDAP_HOST);
    await page.getByLabel('Service to query').selectOption({ label: 'Domains and Trusts' });
    await page.getByRole('button', { name: 'Query', exact: true }).click();
    const text = page.getByTestId('portqry-text');
    await text.waitFor({ timeout: 120_000 });
    const output = (await text.textContent()) ?? '';
    expect(output).toContain(`Querying target system called:`);
    expect(output).toContain(`TCP port 389 (ldap service): LISTENING`);
    expect(output).toContain('TCP port 135 (epmap service): NOT LISTENING');
    expect(output).not.toContain('2024');
    await page
      .getByRole('table', { name: 'Ports queried' })
      .getByRole('cell', { name: 'LISTENING', exact: true })
      .first()
      .waitFor();
    await checkPage('08-query');
  }, 180_000);

  it('every other page renders and passes axe', async () => {
    const pages: Array<[string, string, string | RegExp]> = [
      ['09-hosts', `/ui/hosts?address=${flagged[0]}`, 'Hosts'],
      ['10-scans', '/ui/scans', 'Scan definitions'],
      ['11-inventories', '/ui/inventories', 'Inventories'],
      ['12-credentials', '/ui/credentials', 'Credentials'],
      ['13-tokens', '/ui/tokens', 'API tokens'],
      ['14-audit', '/ui/audit', 'Audit log'],
    ];
    for (const [name, path, heading] of pages) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      if (name === '09-hosts') await page.getByRole('rowheader', { name: 'udp/161' }).first().waitFor();
      if (name === '10-scans') await page.getByTestId('next-fires').locator('li').nth(2).waitFor();
      if (name === '14-audit')
        await page
          .getByRole('cell', { name: /waiver|POST/ })
          .first()
          .waitFor();
      await checkPage(name);
    }
  }, 180_000);

  it('stores an SNMPv3 user from the Credentials page; its passphrases are never shown', async () => {
    await page.goto(`${base}/ui/credentials`);
    await page.getByRole('heading', { name: 'Credentials', level: 1 }).waitFor();
    await page.getByLabel('Kind').selectOption({ label: 'SNMPv3 user' });
    await page.getByLabel('Name', { exact: true }).fill('console-v3');
    await page.getByLabel('User name').fill('fq-console');
    await page.getByLabel('Authentication', { exact: true }).selectOption('sha512');
    await page.getByLabel(/^Authentication passphrase/).fill('console-auth-pass');
    await page.getByLabel(/^Privacy passphrase/).fill('console-priv-pass');
    await page.getByRole('button', { name: 'Store credential' }).click();
    await page.getByRole('status').filter({ hasText: 'Stored console-v3' }).waitFor();
    await page.getByRole('cell', { name: 'fq-console' }).waitFor();
    const html = await page.content();
    expect(html).not.toContain('console-auth-pass');
    expect(html).not.toContain('console-priv-pass');
    await checkPage('12b-credentials-v3');
  }, 60_000);

  it('a viewer sees what a viewer may do, and no "Start scan"', async () => {
    const viewer = await api('POST', '/tokens', { name: 'morning-viewer', role: 'viewer' });
    const viewerContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const p = await viewerContext.newPage();
    watch(p);
    await p.goto(`${base}/ui/runs`);
    await p.getByLabel('API token').fill(viewer.token);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await p.getByRole('heading', { name: 'Recent runs' }).waitFor();
    expect(await p.getByRole('button', { name: 'Start scan' }).count()).toBe(0);
    const nav = p.getByRole('navigation', { name: 'Main' });
    for (const hidden of ['Query', 'Tokens', 'Credentials', 'Audit log'])
      expect(await nav.getByRole('link', { name: hidden }).count()).toBe(0);
    await p.goto(`${base}/ui/query`);
    await p.getByRole('alert').filter({ hasText: 'needs the operator role' }).waitFor();
    await checkPage('15-viewer-runs', p);
    await viewerContext.close();
    // The API enforces it either way.
    const res = await fetch(`${base}/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scanDefinitionId: scanId }),
    });
    expect(res.status).toBe(403);
  }, 60_000);

  it('nothing broke the CSP or threw in the page', () => {
    expect(browserProblems).toEqual([]);
  });
});
