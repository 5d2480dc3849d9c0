import type { HostCoverage, Observation } from '@fleetqry/contracts';
import { baselinePolicy, parsePolicyYaml, type PolicyHost } from '@fleetqry/policy';
import {
  createRun,
  ensureScanDefinition,
  finishRun,
  getRun,
  saveHostView,
  selectFindings,
  type RunRecord,
  type Store,
} from '@fleetqry/store';

import { tempStore, type TempStore } from '../testing/stored-runs.js';
import { evaluateStage } from './evaluate-stage.js';
import { ingestBatch } from './ingest-stage.js';

const at = '2026-12-06T00:00:00.000Z';
const open = (address: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): Observation => ({
  host: address,
  address,
  proto,
  port,
  state: 'LISTENING',
  reason: proto === 'tcp' ? 'syn-ack' : 'udp-response',
  observedAt: at,
});
const closed = (address: string, proto: 'tcp' | 'udp', ranges: [number, number][]): HostCoverage => ({
  host: address,
  address,
  proto,
  closed: ranges,
  observedAt: at,
});

/** Hosts tagged `dns` must answer UDP 53 (baseline's port.required), so a closed 53 there is a finding. */
const HOSTS: PolicyHost[] = [
  { address: '127.90.0.0/24', tags: ['lab'] },
  { address: '127.90.0.5', tags: ['dns'] },
];

describe('evaluateStage over stored observations and coverage', () => {
  let temp: TempStore;
  let store: Store;
  let scan: string;
  beforeAll(async () => {
    temp = await tempStore('fq-evaluate-');
    store = temp.store;
    scan = (await ensureScanDefinition(store.prisma, 'evaluate-spec')).id;
  }, 60_000);
  afterAll(() => temp.remove());

  async function run(observations: Observation[], coverage: HostCoverage[], batchHosts: number) {
    const { run } = await createRun(store.prisma, {
      trigger: 'cli',
      scanDefinitionId: scan,
      policyName: 'baseline',
      hosts: new Set(coverage.map((c) => c.address)).size,
    });
    await store.sql((c) => c.transaction((tx) => ingestBatch(tx, run.id, observations, coverage)));
    const progress: number[] = [];
    const result = await evaluateStage(store, run, {
      policy: baselinePolicy(),
      hosts: HOSTS,
      waivers: [],
      now: new Date(at),
      batchHosts,
      onProgress: (done) => progress.push(done),
    });
    await finishRun(store.prisma, run.id, { status: 'succeeded' });
    const findings = await store.sql((c) => selectFindings(c, { runId: run.id }));
    return { run: (await getRun(store.prisma, run.id)) as RunRecord, result, findings, progress };
  }
  const view = (fs: Awaited<ReturnType<typeof run>>['findings']) =>
    fs.map((f) => `${f.rule} ${f.address} ${f.proto}/${f.port} ${f.status}`).sort();

  it('finds on informative rows and on the closed ports a rule needs, whatever the batch size', async () => {
    const observations = [open('127.90.0.1', 23), open('127.90.0.2', 23), open('127.90.0.9', 23)];
    const coverage = [
      closed('127.90.0.1', 'tcp', [
        [1, 22],
        [24, 30],
      ]),
      closed('127.90.0.2', 'tcp', [
        [1, 22],
        [24, 30],
      ]),
      closed('127.90.0.3', 'tcp', [[1, 30]]),
      closed('127.90.0.5', 'udp', [[53, 53]]),
      closed('127.90.0.9', 'tcp', [[1, 22]]),
    ];
    const small = await run(observations, coverage, 1);
    const big = await run(observations, coverage, 1000);
    expect(view(small.findings)).toEqual([
      'port.required 127.90.0.5 udp/53 new',
      'telnet.listening 127.90.0.1 tcp/23 new',
      'telnet.listening 127.90.0.2 tcp/23 new',
      'telnet.listening 127.90.0.9 tcp/23 new',
    ]);
    // Host batches change nothing but the memory used; the second run sees the first as its previous run.
    expect(view(big.findings).map((f) => f.replace(/ persisting$/, ' new'))).toEqual(view(small.findings));
    expect(small.progress.at(-1)).toBe(5);
    expect(small.progress.length).toBe(5);
    expect(big.run.stage).toBe('evaluating');
    expect(big.run.evaluatedHosts).toBe(5);
  }, 60_000);

  it('resolves where the run probed (closed now), and leaves alone what it did not re-scan', async () => {
    // Previous run: the second run of the test above (telnet on .1 .2 .9, port.required on .5).
    const next = await run(
      [open('127.90.0.2', 23), open('127.90.0.5', 53, 'udp'), open('127.90.0.7', 23)],
      [
        closed('127.90.0.1', 'tcp', [[1, 30]]), // 23 closed now: resolved
        closed('127.90.0.2', 'tcp', [
          [1, 22],
          [24, 30],
        ]), // still open: persisting
        closed('127.90.0.5', 'udp', []), // 53 answers now: resolved
        closed('127.90.0.7', 'tcp', [[1, 22]]), // new
        // .9 not probed at all: neither resolved nor persisting
      ],
      1,
    );
    expect(view(next.findings)).toEqual([
      'port.required 127.90.0.5 udp/53 resolved',
      'telnet.listening 127.90.0.1 tcp/23 resolved',
      'telnet.listening 127.90.0.2 tcp/23 persisting',
      'telnet.listening 127.90.0.7 tcp/23 new',
    ]);
    expect(next.result.notRescanned).toBe(1);
    // Re-evaluating a run replaces its findings (idempotent).
    const again = await evaluateStage(store, next.run, {
      policy: baselinePolicy(),
      hosts: HOSTS,
      waivers: [],
      now: new Date(at),
    });
    expect(again.findings).toBe(4);
    expect((await store.sql((c) => selectFindings(c, { runId: next.run.id }))).length).toBe(4);
  }, 60_000);

  it('feeds each slice’s host views (listener owners pushed by agents) to the host view rules', async () => {
    const policy = parsePolicyYaml(`apiVersion: fleetqry/v1
kind: Policy
metadata: { name: owners, version: 1 }
rules:
  - { id: host.unexpected-owner, type: unexpected-owner, severity: high, title: u, expectedOwners: { "tcp/22": [sshd] } }
`);
    const socket = (process: string) => ({
      proto: 'tcp' as const,
      family: 'ipv4' as const,
      localAddress: '0.0.0.0',
      localPort: 22,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      state: 'LISTENING' as const,
      inode: 1,
      pid: 1,
      process,
    });
    const pushed = { takenAt: new Date(at), reportedBy: 'agent', problems: [] };
    await saveHostView(store.prisma, {
      ...pushed,
      hostname: 'a',
      addresses: ['127.91.0.1'],
      sockets: [socket('python3')],
    });
    await saveHostView(store.prisma, {
      ...pushed,
      hostname: 'b',
      addresses: ['127.91.0.2'],
      sockets: [socket('sshd')],
    });
    const { run } = await createRun(store.prisma, { trigger: 'cli', scanDefinitionId: scan, hosts: 3 });
    const observations = ['127.91.0.1', '127.91.0.2', '127.91.0.3'].map((a) => open(a, 22));
    const coverage = observations.map((o) => closed(o.address, 'tcp', [[1, 21]]));
    await store.sql((c) => c.transaction((tx) => ingestBatch(tx, run.id, observations, coverage)));
    const evaluateWith = async (hostViews: boolean) => {
      await evaluateStage(store, run, {
        policy,
        hosts: [],
        waivers: [],
        now: new Date(at),
        batchHosts: 1,
        hostViews,
      });
      return view(await store.sql((c) => selectFindings(c, { runId: run.id })));
    };
    // .1 runs python3 on 22 (a finding), .2 runs the expected sshd, .3 has no agent: no evidence, no finding.
    expect(await evaluateWith(true)).toEqual(['host.unexpected-owner 127.91.0.1 tcp/22 new']);
    expect(await evaluateWith(false)).toEqual([]);
  }, 60_000);
});
