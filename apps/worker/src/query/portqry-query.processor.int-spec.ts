import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';

import { JOBS, type QueryJob } from '@fleetqry/contracts';
import { planScan } from '@fleetqry/probe';
import { signJob, toJobConfig, type JobKeys } from '@fleetqry/sweep/jobs';
import type { Job } from 'bullmq';
import { pino } from 'pino';

import { WorkerMetrics } from '../observability/worker-metrics.js';
import { PortqryQueryProcessor } from './portqry-query.processor.js';
import { PortqryQueryUseCase } from './portqry-query.use-case.js';

/**
 * A signed PortQry query through the processor and the real use case on loopback: one port this test listens
 * on, one nothing listens on (the kernel's RST). The worker's probe counter counts both, by proto and state.
 */
const KEYS: JobKeys = { current: 'q'.repeat(32) };
const ADDRESS = '127.79.1.1';
let server: Server;
let open: number;

beforeAll(async () => {
  server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, ADDRESS, r));
  open = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('a query’s probes are counted by proto and state', async () => {
  const closed = open === 1 ? 3 : 1; // never 2024
  const plan = await planScan({
    targets: [ADDRESS],
    ports: { tcp: `${closed},${open}`, defaultExcludedPorts: '2024' },
    scope: { allow: ['127.0.0.0/8'], deny: [] },
    maxHosts: 1,
    noReverse: true,
    dnsServers: [],
  });
  const job: QueryJob = {
    queryId: randomUUID(),
    given: ADDRESS,
    isName: false,
    target: { host: ADDRESS, address: ADDRESS, family: 4 },
    config: toJobConfig(plan.config, []),
  };
  const metrics = new WorkerMetrics();
  const processor = new PortqryQueryProcessor(
    new PortqryQueryUseCase({
      probeConcurrency: 4,
      rate: 0,
      probeDeadlineMs: 5_000,
      scope: { allow: [`${ADDRESS}/32`], deny: [] },
    }),
    metrics,
    pino({ level: 'silent' }),
    30_000,
    KEYS,
  );
  const signed = signJob(JOBS.portqryQuery, job, KEYS);
  const result = await processor.process({ id: 'q-1', data: signed } as unknown as Job);
  expect(result.observations.map((o) => `${o.port} ${o.state}`).sort()).toEqual(
    [`${closed} NOT LISTENING`, `${open} LISTENING`].sort(),
  );
  const text = await metrics.registry.metrics();
  expect(text).toMatch(/^fleetqry_worker_probes_total\{proto="tcp",state="LISTENING"\} 1$/m);
  expect(text).toMatch(/^fleetqry_worker_probes_total\{proto="tcp",state="NOT LISTENING"\} 1$/m);
  expect(text).toMatch(/^fleetqry_worker_probes_total\{proto="udp",state="LISTENING"\} 0$/m);
});
