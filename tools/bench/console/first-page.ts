/**
 * Issue 12: "server-side paging so a run with 100k findings renders its first page in under a second". Builds
 * a store whose newest run has FINDINGS (100 000) findings (tools/bench/scale/big-store.ts, server-side SQL
 * into a scratch Postgres database), starts the controller on it (apps/controller/dist/main.js, serving the
 * built console, apps/web/dist), signs in to the console in Debian's Chromium (playwright-core, headless) and
 * opens the run report, /ui/report?run=<number>, WARMUP + REPS times as full page loads.
 *
 * The figure, per load: from the navigation's start (performance.timeOrigin) to the moment the page shows the
 * first page of findings — the table's 50 rows and "N finding(s), page 1 of M" in the DOM — recorded in the
 * page by a MutationObserver (injected through the DevTools protocol, so the console's CSP does not apply).
 * The /findings request's own time (Resource Timing) is kept next to it. The first load (the console's
 * assets not cached yet) is reported apart; the goal is on the reloads. A rule filter and the last page
 * are measured the same way, for information.
 *
 *   npm run build && npx tsx tools/bench/console/first-page.ts
 *   FINDINGS=100000 REPS=15 WARMUP=2 OUT=dir KEEP=1 npx tsx tools/bench/console/first-page.ts
 *
 * Loopback only: the controller listens on 127.0.0.1, Chromium starts with background networking off.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

import { createStore, type Store } from '@fleetqry/store';
import type { Browser, Page } from 'playwright-core';

import { launchChromium, CHROMIUM } from '../../../apps/controller/src/testing/browser.js';
import { codeStateLine } from '../src/lib/code-state.js';
import { buildBigStore, codeVersion } from '../scale/big-store.js';
import {
  dropPostgres,
  envInt,
  median,
  outDir,
  percentile,
  ROOT,
  scratchPostgres,
  startController,
  writeResult,
  type Goal,
} from '../scale/lib.js';

const GOAL_MS = 1000;
const PAGE_ROWS = 50; // apps/web/src/pages/report/report-page.tsx PAGE
const FINDINGS = envInt('FINDINGS', 100_000, 1_000, 800_000);
const REPS = envInt('REPS', 15, 3, 200);
const WARMUP = envInt('WARMUP', 2, 0, 20);
const WEB_INDEX = path.join(ROOT, 'apps/web/dist/index.html');

const dir = outDir('console');
const raw = (name: string) => path.join(dir, 'raw', name);
const log = (line: string) => console.log(`[console] ${line}`);
const ms = (x: number) => +x.toFixed(1);
const prefix = `fqbench-console-${process.pid}`;

/** Set in the page before any of its scripts run: when the first page of findings is in the DOM. */
const OBSERVER = `(() => {
  const done = () => {
    const total = document.querySelector('[data-testid="findings-total"]');
    return total && /finding\\(s\\), page \\d+ of/.test(total.textContent || '') &&
      document.querySelectorAll('table tbody tr').length >= ${PAGE_ROWS};
  };
  const observer = new MutationObserver(() => {
    if (window.__firstPageMs === undefined && done()) {
      window.__firstPageMs = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();`;

/** The figures of the load, read in the page (a string: this file is compiled without the DOM's types). */
const SNAPSHOT = `(() => {
  const findings = performance.getEntriesByType('resource').filter((e) => /\\/findings\\?/.test(e.name));
  const nav = performance.getEntriesByType('navigation')[0];
  const last = findings[findings.length - 1];
  return {
    renderedMs: window.__firstPageMs,
    findingsRequestMs: last ? last.responseEnd - last.startTime : -1,
    documentMs: nav.responseEnd,
    domContentLoadedMs: nav.domContentLoadedEventEnd,
    totalText: document.querySelector('[data-testid="findings-total"]')?.textContent ?? '',
  };
})()`;

interface Load {
  /** Navigation start → the page's rows and total in the DOM. */
  renderedMs: number;
  /** The /findings request: start → end of its response (Resource Timing). */
  findingsRequestMs: number;
  /** The HTML document's response end and DOMContentLoaded (how much is the console's own start-up). */
  documentMs: number;
  domContentLoadedMs: number;
  totalText: string;
}

async function load(page: Page, url: string): Promise<Load> {
  await page.goto(url, { waitUntil: 'commit' });
  // A function, not a string: Playwright evaluates string predicates with eval, which the console's CSP refuses.
  await page.waitForFunction(
    () => (globalThis as { __firstPageMs?: number }).__firstPageMs !== undefined,
    undefined,
    {
      timeout: 60_000,
    },
  );
  return page.evaluate<Load>(SNAPSHOT);
}

interface Series {
  url: string;
  cold?: Load;
  reps: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  findingsRequestP50Ms: number;
  findingsRequestP95Ms: number;
  domContentLoadedP50Ms: number;
  totalText: string;
  loadavg1AtStart: number;
  samplesMs: number[];
}

async function series(page: Page, url: string, cold: boolean): Promise<Series> {
  const loadavg1AtStart = loadavg()[0]!;
  const first = cold ? await load(page, url) : undefined;
  for (let i = 0; i < WARMUP; i++) await load(page, url);
  const loads: Load[] = [];
  for (let i = 0; i < REPS; i++) loads.push(await load(page, url));
  const r = loads.map((l) => l.renderedMs);
  const q = loads.map((l) => l.findingsRequestMs);
  return {
    url: url.replace(/^http:\/\/[^/]+/, ''),
    ...(first ? { cold: first } : {}),
    reps: REPS,
    p50Ms: ms(median(r)),
    p95Ms: ms(percentile(r, 95)),
    minMs: ms(Math.min(...r)),
    maxMs: ms(Math.max(...r)),
    findingsRequestP50Ms: ms(median(q)),
    findingsRequestP95Ms: ms(percentile(q, 95)),
    domContentLoadedP50Ms: ms(median(loads.map((l) => l.domContentLoadedMs))),
    totalText: loads.at(-1)!.totalText,
    loadavg1AtStart,
    samplesMs: r.map(ms),
  };
}

let store: Store | undefined;
let controller: ChildProcess | undefined;
let browser: Browser | undefined;
const loadavgStart = loadavg();
const dbUrl = scratchPostgres('console');

try {
  if (!fs.existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: npm run build first`);
  store = await createStore({ databaseUrl: dbUrl, migrate: true, poolSize: 4 });
  const code = codeVersion(store);
  // Two runs (the report's delta has a previous run); few observations: the report reads findings only.
  const big = await buildBigStore(
    store,
    { runs: 2, observations: 20_000, findingsPerRun: FINDINGS },
    { scan: 'bench-console', log },
  );
  const newest = big.runs.at(-1)!;
  log(
    `store built in ${(big.buildMs.total / 1000).toFixed(1)} s: run #${newest.number}, ${FINDINGS} findings`,
  );

  const started = await startController(dbUrl, { queuePrefix: prefix, logFile: raw('controller.log') });
  controller = started.child;
  const { base, token } = started;

  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(OBSERVER);
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 60_000 });

  const report = `${base}/ui/report?run=${newest.number}`;
  const firstPage = await series(page, report, true);
  log(`first page: p50 ${firstPage.p50Ms} ms, p95 ${firstPage.p95Ms} ms (${firstPage.totalText})`);
  const rulePage = await series(page, `${report}&rule=port.forbidden`, false);
  log(`rule filter: p50 ${rulePage.p50Ms} ms, p95 ${rulePage.p95Ms} ms (${rulePage.totalText})`);
  const lastPage = await series(page, `${report}&page=${Math.ceil(FINDINGS / PAGE_ROWS)}`, false);
  log(`last page: p50 ${lastPage.p50Ms} ms, p95 ${lastPage.p95Ms} ms (${lastPage.totalText})`);
  await page.goto(report);
  await page
    .locator('table tbody tr')
    .nth(PAGE_ROWS - 1)
    .waitFor();
  await page.screenshot({ path: raw('report-first-page.png') });
  const chromium = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim();

  const goals: Goal[] = [
    {
      item: `Console: first page of a run with ${FINDINGS} findings (/ui/report?run=N, full page load, ${REPS} loads after ${WARMUP} warm-ups)`,
      figure: `p95 ${firstPage.p95Ms} ms, p50 ${firstPage.p50Ms} ms (max ${firstPage.maxMs}); first load with cold assets ${ms(firstPage.cold!.renderedMs)} ms; /findings request p50 ${firstPage.findingsRequestP50Ms} ms; load average ${loadavgStart.map((x) => x.toFixed(1)).join('/')} at start`,
      goal: `< ${GOAL_MS} ms (issue 12)`,
      met: firstPage.p95Ms < GOAL_MS && firstPage.cold!.renderedMs < GOAL_MS,
    },
  ];
  writeResult(dir, 'console-first-page', {
    goals,
    method: {
      store: `scratch Postgres database; 2 succeeded runs of one scan definition with ${FINDINGS} findings each (tools/bench/scale/big-store.ts: /16 addresses, baseline rules, mixed statuses and tags), VACUUM (ANALYZE)`,
      server:
        'apps/controller/dist/main.js as a process on 127.0.0.1, serving apps/web/dist; bearer token from FLEETQRY_ADMIN_TOKEN, kept in session storage after the console sign-in',
      browser: `${chromium} headless (playwright-core ${playwrightVersion()}), 1400×900, one tab, signed in once`,
      figure: `per load: performance.now() (navigation start = 0) when the report's ${PAGE_ROWS} rows and "N finding(s), page 1 of M" are in the DOM (MutationObserver injected before the page's scripts); every load is a full navigation (page.goto), the first with the console's assets not cached`,
      percentiles: 'nearest rank',
    },
    firstPage,
    ruleFilter: rulePage,
    lastPage,
    size: { findingsPerRun: FINDINGS, runs: big.runs.length, rows: big.rows, buildMs: big.buildMs },
    screenshot: 'raw/report-first-page.png',
    machine: { cpus: cpus().length, loadavgStart, loadavgEnd: loadavg() },
    code,
  });
  fs.writeFileSync(
    path.join(dir, 'summary.md'),
    [
      `# Console benchmark (issue 12) — ${path.basename(dir)}`,
      '',
      `${codeStateLine(code)}; ${cpus().length} CPUs; load average ${loadavgStart.map((x) => x.toFixed(2)).join(' / ')} (1/5/15 min) at start, ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' / ')} at the end: the machine is shared, figures hold only with that load.`,
      '',
      '| item | figure | goal | |',
      '|---|---|---|---|',
      ...goals.map((g) => `| ${g.item} | ${g.figure} | ${g.goal} | ${g.met ? 'met' : '**MISSED**'} |`),
      `| Console: rule filter (port.forbidden), information | p95 ${rulePage.p95Ms} ms, p50 ${rulePage.p50Ms} ms (${rulePage.totalText}) | | |`,
      `| Console: last page (OFFSET ${FINDINGS - PAGE_ROWS}), information | p95 ${lastPage.p95Ms} ms, p50 ${lastPage.p50Ms} ms (${lastPage.totalText}) | | |`,
      '',
      'Method and every sample: `console-first-page.json`.',
      '',
    ].join('\n'),
  );
} finally {
  await browser?.close();
  if (controller) {
    controller.kill('SIGTERM');
    await new Promise((r) => controller!.once('close', r));
  }
  await store?.close();
  // This run's queue keys only (the shared Redis serves everyone).
  spawnSync('sh', [
    '-c',
    `redis-cli -h 127.0.0.1 --scan --pattern '${prefix}:*' | xargs -r redis-cli -h 127.0.0.1 del`,
  ]);
  if (process.env['KEEP'] === '1') log(`kept ${dbUrl}`);
  else dropPostgres('console');
}

function playwrightVersion(): string {
  return (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/playwright-core/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}
