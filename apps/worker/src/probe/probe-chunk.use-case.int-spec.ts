import type { JobScanConfig, ProbeChunkJob, ResultBatchJob } from '@fleetqry/contracts';
import { planScan } from '@fleetqry/probe';

import type { CredentialClient } from '../credentials/credential-client.js';
import { WorkerMetrics } from '../observability/worker-metrics.js';
import type { ResultsPublisher } from '../queues/results-publisher.js';
import { ProbeChunkUseCase, type ProbeChunkOptions } from './probe-chunk.use-case.js';

/**
 * One chunk through the use case on loopback: 8 addresses of 127.78.200.0/29 × TCP 1-16, every port answered
 * by the local kernel's RST (nothing listens there; port 2024 is never in the list). The published batches
 * must carry each host's plain closed ports as one coverage record, and a chunk that fits one batch must
 * cost the controller one result job: its data rides on the final marker.
 */
const HOSTS = Array.from({ length: 8 }, (_, i) => `127.78.200.${i}`);
const RUN_ID = '00000000-0000-4000-8000-000000000001';

async function chunkJob(): Promise<ProbeChunkJob> {
  const plan = await planScan({
    targets: HOSTS,
    ports: { tcp: '1-16', defaultExcludedPorts: '2024' },
    scope: { allow: ['127.0.0.0/8'], deny: [] },
    maxHosts: 256,
    noReverse: true,
    dnsServers: [],
  });
  const { communities: _c, v3Users: _u, ...snmp } = plan.config.protocolOptions.snmp;
  const config = {
    ...plan.config,
    ports: { tcp: plan.config.ports.tcp.map((r) => [r[0], r[1]]), udp: [] },
    scope: { allow: ['127.0.0.0/8'], deny: [] },
    protocolOptions: { ...plan.config.protocolOptions, snmp },
    communityCredentialIds: [],
  } as unknown as JobScanConfig;
  return {
    runId: RUN_ID,
    chunkIndex: 0,
    targets: HOSTS.map((a) => ({ host: a, address: a, family: 4 as const })),
    probes: HOSTS.length * 16,
    config,
  };
}

function useCase(options: Partial<ProbeChunkOptions>) {
  const published: ResultBatchJob[] = [];
  const credentials = { open: async () => [] } as unknown as CredentialClient;
  const results = {
    publish: async (b: ResultBatchJob) => void published.push(structuredClone(b)),
  } as unknown as ResultsPublisher;
  const metrics = new WorkerMetrics();
  const uc = new ProbeChunkUseCase(
    credentials,
    results,
    {
      probeConcurrency: 256,
      rate: 0,
      probeDeadlineMs: 5_000,
      scope: { allow: ['127.78.200.0/24'], deny: [] },
      threads: undefined,
      resultBatch: 500,
      resultFlushMs: 60_000,
      ...options,
    },
    metrics,
  );
  return { uc, published, metrics };
}

const coveredHosts = (batches: ResultBatchJob[]) =>
  batches
    .flatMap((b) => b.coverage)
    .map((c) => `${c.address} ${c.proto} ${JSON.stringify(c.closed)}`)
    .sort();
const expected = HOSTS.map((a) => `${a} tcp [[1,16]]`).sort();

describe('ProbeChunkUseCase (loopback, TCP 1-16)', () => {
  it('publishes a chunk that fits one batch as one final marker carrying every host’s coverage', async () => {
    const { uc, published, metrics } = useCase({});
    const outcome = await uc.execute(await chunkJob(), new AbortController().signal);
    expect(published).toHaveLength(1);
    const [final] = published;
    expect(final).toMatchObject({
      seq: -1,
      observations: [],
      failures: [],
      final: { batches: 0, observations: 128 },
    });
    expect(coveredHosts(published)).toEqual(expected);
    expect(outcome).toMatchObject({ batches: 0, observations: 128, failures: 0 });
    // Counted as probes although they travelled as coverage ranges; the other series exist at 0.
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^fleetqry_worker_probes_total\{proto="tcp",state="NOT LISTENING"\} 128$/m);
    expect(text).toMatch(/^fleetqry_worker_probes_total\{proto="udp",state="LISTENING or FILTERED"\} 0$/m);
  });

  it('splits by records (observations + coverage records), numbers the batches and counts them on the final marker', async () => {
    const { uc, published } = useCase({ resultBatch: 3 });
    await uc.execute(await chunkJob(), new AbortController().signal);
    const numbered = published.filter((b) => b.seq >= 0);
    const final = published.at(-1)!;
    expect(final.seq).toBe(-1);
    expect(numbered.map((b) => b.seq)).toEqual(numbered.map((_, i) => i));
    // Loopback answers every probe (RST), so nothing is left undecided.
    expect(final.final).toEqual({
      batches: numbered.length,
      observations: 128,
      network: { retransmissions: expect.any(Number), recovered: expect.any(Number), undecided: 0 },
    });
    expect(numbered.length).toBeGreaterThanOrEqual(2);
    for (const b of numbered) expect(b.coverage.length + b.observations.length).toBeLessThanOrEqual(4);
    // Every host exactly once, across the batches and the final marker.
    expect(coveredHosts(published)).toEqual(expected);
  });

  it('gives the same coverage when the scan threads compact (threads > 1)', async () => {
    const { uc, published } = useCase({ threads: 2 });
    await uc.execute(await chunkJob(), new AbortController().signal);
    expect(coveredHosts(published)).toEqual(expected);
    expect(published.at(-1)!.final).toMatchObject({ batches: published.length - 1, observations: 128 });
  });
});
