import { createSocket, type Socket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

import { parsePolicyYaml } from '@fleetqry/policy';
import { createStore, getRun, listRuns, type Store } from '@fleetqry/store';

import { InventoryError } from '../inventory/inventory-file.js';
import { tempStore, type TempStore } from '../testing/stored-runs.js';
import { runSweep, type SweepOptions, type SweepStage } from './run-sweep.js';

/**
 * The embedded sweep over an embedded store and a listener of this test on 127.0.0.1: what is recorded when
 * input is bad, when the store cannot open, when the caller cancels, and what a clean run reports.
 */
const POLICY = parsePolicyYaml(
  'apiVersion: fleetqry/v1\nkind: Policy\nmetadata: { name: sweep-spec, version: 3 }\nrules:\n' +
    '  - { id: port.open, type: port-forbidden, severity: high, title: listener, ports: { tcp: "1-65535" } }\n',
);

let temp: TempStore;
let dir: string;
let store: Store;
let listener: Server;
let port: number;
/** A UDP port that never answers: its probe waits out its timeouts. */
let silent: Socket;
beforeAll(async () => {
  temp = await tempStore('fq-run-sweep-');
  ({ dir, store } = temp);
  listener = createServer((socket) => socket.destroy());
  await new Promise<void>((ok) => listener.listen(0, '127.0.0.1', ok));
  port = (listener.address() as { port: number }).port;
  silent = createSocket('udp4');
  await new Promise<void>((ok) => silent.bind(0, '127.0.0.1', ok));
}, 60_000);
afterAll(async () => {
  await new Promise((ok) => listener.close(ok));
  await new Promise<void>((ok) => silent.close(ok));
  await temp.remove();
});

async function inventory(name: string, text: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, text);
  return file;
}
const listenerInventory = (name: string) =>
  inventory(name, `name: ${name}\ntargets:\n  - 127.0.0.1\nports:\n  tcp: "${port}"\n`);

function options(inventoryPath: string, over: Partial<SweepOptions> = {}): SweepOptions {
  return {
    inventoryPath,
    policy: POLICY,
    waivers: [],
    store,
    base: { scope: { allow: ['127.0.0.1/32'] }, maxHosts: 16, noReverse: true },
    sourceRoot: dir,
    ...over,
  };
}
const runCount = async () => (await listRuns(store.prisma)).length;

describe('runSweep', () => {
  it('reports a clean run: plan, then probe, ingest, evaluate and report, findings at their inventory line', async () => {
    const stages: SweepStage[] = [];
    const events: string[] = [];
    const { report, failures } = await runSweep(
      options(await listenerInventory('clean'), {
        onPlan: (plan) => events.push(`plan ${plan.totalProbes}`),
        onProgress: (probes) => events.push(`progress ${probes}`),
        onEvaluate: (done, total) => events.push(`evaluate ${done}/${total}`),
        onStage: (stage, ms) => {
          expect(ms).toBeGreaterThanOrEqual(0);
          stages.push(stage);
        },
        now: () => new Date('2026-12-06T10:00:00.000Z'),
      }),
    );

    expect(failures).toEqual([]);
    expect(report.run).toMatchObject({
      status: 'succeeded',
      trigger: 'cli',
      policy: { name: 'sweep-spec', version: '3' },
      category: 'clean',
      hosts: 1,
      totalProbes: 1,
      startedAt: '2026-12-06T10:00:00.000Z',
      finishedAt: '2026-12-06T10:00:00.000Z',
      planFailures: [],
    });
    expect(report.violations.map((f) => `${f.rule} ${f.address} ${f.proto}/${f.port}`)).toEqual([
      `port.open 127.0.0.1 tcp/${port}`,
    ]);
    // The run's category is the inventory's name; the finding points at the target's line.
    expect(report.violations[0]!.source).toEqual({ path: 'clean.yaml', line: 3 });
    expect(events[0]).toBe('plan 1');
    expect(events).toContain('progress 1');
    expect(events.at(-1)).toBe('evaluate 1/1');
    // `store` runs beside `probe`: either may end first; the others follow in order.
    expect(stages[0]).toBe('plan');
    expect(stages.filter((s) => s !== 'store')).toEqual(['plan', 'probe', 'ingest', 'evaluate', 'report']);
    expect(stages.filter((s) => s === 'store')).toHaveLength(1);
  }, 60_000);

  it('accepts the store as a promise still opening, and records the run once it opens', async () => {
    let open!: (s: Store) => void;
    const opening = new Promise<Store>((ok) => (open = ok));
    const before = await runCount();
    const sweep = runSweep(
      options(await listenerInventory('opening'), { store: opening, onPlan: () => open(store) }),
    );
    const { report } = await sweep;
    expect(report.run.status).toBe('succeeded');
    expect(await runCount()).toBe(before + 1);
  }, 60_000);

  it('refuses bad input before a run is recorded, naming the file and field or the target', async () => {
    const before = await runCount();
    const bad = await inventory(
      'bad',
      'name: bad\ntargets:\n  - { address: 127.0.0.1, colour: red }\nports: {}\n',
    );
    const refused = runSweep(options(bad));
    await expect(refused).rejects.toThrow(InventoryError);
    await expect(refused).rejects.toThrow(/bad\.yaml: targets\[0\]: /);

    const outside = await inventory(
      'outside',
      'name: outside\ntargets:\n  - 127.0.0.2\nports:\n  tcp: "22"\n',
    );
    await expect(runSweep(options(outside))).rejects.toThrow(/127\.0\.0\.2/);
    await expect(runSweep(options(join(dir, 'missing.yaml')))).rejects.toThrow(/missing\.yaml/);
    expect(await runCount()).toBe(before);
  }, 60_000);

  it('a store that cannot open stops the probe at once and fails the sweep with the store’s error', async () => {
    const unreachable = createStore({
      databaseUrl: 'postgres://postgres@127.0.0.1:1/absent',
      connectTimeoutMs: 2000,
    });
    const error = await unreachable.then(
      () => 'opened',
      (e: Error) => e.message,
    );
    expect(error).not.toBe('opened');
    const udp = (silent.address() as { port: number }).port;
    const file = await inventory(
      'no-store',
      `name: no-store\ntargets:\n  - 127.0.0.1\nports:\n  udp: "${udp}"\n`,
    );
    const progress: number[] = [];
    await expect(
      runSweep(options(file, { store: unreachable, onProgress: (n) => progress.push(n) })),
    ).rejects.toThrow(error);
    // The silent port's probe was cut short: it never finished.
    expect(progress).toEqual([]);
  }, 60_000);

  it('a sweep cancelled by the caller ends its run cancelled, with the reason, and rethrows', async () => {
    const caller = new AbortController();
    const before = await runCount();
    const sweep = runSweep(
      options(await listenerInventory('cancelled'), {
        signal: caller.signal,
        onPlan: () => caller.abort(new Error('interrupted')),
      }),
    );
    await expect(sweep).rejects.toThrow('interrupted');
    const runs = await listRuns(store.prisma);
    expect(runs).toHaveLength(before + 1);
    const run = (await getRun(store.prisma, runs[0]!.id))!;
    expect(run).toMatchObject({ status: 'cancelled', error: 'interrupted' });
    expect(run.finishedAt).not.toBeNull();
  }, 60_000);

  it('an error while probing ends the run failed, with the error, and rethrows it', async () => {
    const before = await runCount();
    const sweep = runSweep(
      options(await listenerInventory('broken'), {
        onProgress: () => {
          throw new Error('progress bar broke');
        },
      }),
    );
    await expect(sweep).rejects.toThrow('progress bar broke');
    const runs = await listRuns(store.prisma);
    expect(runs).toHaveLength(before + 1);
    expect(runs[0]).toMatchObject({ status: 'failed', error: 'progress bar broke' });
  }, 60_000);
});

/**
 * Names under the lab's domain that its dnsmasq answers NXDOMAIN for, asked of that dnsmasq only (never
 * the machine's resolver): a run none of whose targets resolves ends failed at once; otherwise the names
 * stay with the run as its plan failures and are not returned again as probe failures.
 */
describe('runSweep with names that do not resolve (fleet lab dnsmasq)', () => {
  let lab: { dnsServer: string; domain: string };
  beforeAll(async () => {
    const path = join(process.env.LAB_STATE ?? '/tmp/fleetqry-lab', 'ground-truth.json');
    lab = JSON.parse(
      await readFile(path, 'utf8').catch((e: unknown) => {
        throw new Error(
          `fleet lab ground truth not readable at ${path} (bash tools/lab/lab.sh up): ${String(e)}`,
        );
      }),
    );
  });
  const absent = (label: string) => `fq-absent-${label}.${lab.domain}`;
  const labOptions = (file: string, over: Partial<SweepOptions> = {}) =>
    options(file, {
      base: {
        scope: { allow: ['127.0.0.1/32'] },
        maxHosts: 16,
        noReverse: true,
        dnsServers: [lab.dnsServer],
      },
      ...over,
    });

  it('no target resolves: the run is failed at once with the plan failures, nothing probed', async () => {
    const file = await inventory(
      'none-resolve',
      `name: none-resolve\ntargets:\n  - ${absent('a')}\n  - ${absent('b')}\nports:\n  tcp: "${port}"\n`,
    );
    const progress: number[] = [];
    const { report, failures } = await runSweep(labOptions(file, { onProgress: (n) => progress.push(n) }));
    expect(progress).toEqual([]);
    expect(failures).toEqual([]);
    expect(report.run).toMatchObject({ status: 'failed', hosts: 0, totalProbes: 0 });
    expect(report.run.error).toMatch(/^no target could be probed \(2 failed at plan time\): /);
    expect(report.run.planFailures.map((f) => f.given)).toEqual([absent('a'), absent('b')]);
    expect(report.violations).toEqual([]);
  }, 60_000);

  it('some resolve: the run goes on, the names stay its plan failures and are not returned again', async () => {
    const file = await inventory(
      'some-resolve',
      `name: some-resolve\ntargets:\n  - 127.0.0.1\n  - ${absent('c')}\nports:\n  tcp: "${port}"\n`,
    );
    const { report, failures } = await runSweep(labOptions(file));
    expect(report.run).toMatchObject({ status: 'succeeded', hosts: 1, totalProbes: 1 });
    expect(report.run.planFailures.map((f) => f.given)).toEqual([absent('c')]);
    expect(failures).toEqual([]);
    expect(report.violations.map((f) => f.address)).toEqual(['127.0.0.1']);
  }, 60_000);
});
