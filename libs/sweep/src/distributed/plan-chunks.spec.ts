import { JobScanConfigSchema } from '@fleetqry/contracts';
import { planScan, type ScanRequest } from '@fleetqry/probe';

import { parseInventory } from '../inventory/inventory-file.js';
import { chunkPlan, toJobConfig, toScanConfig } from '../jobs/job-codec.js';
import { definitionScanRequest, narrowScope, planChunks } from './plan-chunks.js';

// Planning only: nothing here sends a packet (literal loopback targets, no name resolution).
const request: ScanRequest = {
  targets: ['127.91.0.0/29', '127.91.1.1'],
  ports: { tcp: '1-10', defaultExcludedPorts: '2024' },
  scope: { allow: ['127.0.0.0/8'] },
  maxHosts: 100,
  noReverse: true,
  communities: ['s3cret'],
};

describe('distributed planning in libs/sweep', () => {
  it('cuts the resolved targets into chunks of about the asked probes', async () => {
    const plan = await planScan(request);
    const { chunks, failures } = await planChunks(plan, 25);
    expect(failures).toEqual([]);
    // 10 probes a host: 2 hosts a chunk; 9 hosts → 5 chunks, numbered in order.
    expect(chunks.map((c) => c.hosts)).toEqual([2, 2, 2, 2, 1]);
    expect(chunks.map((c) => c.chunkIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(chunks.every((c) => c.probes === c.hosts * 10)).toBe(true);
    expect(chunks.flatMap((c) => c.targets.map((t) => t.address))).toContain('127.91.1.1');
  });

  it('sends an address an inventory lists twice to the workers once, with its own exclusions', async () => {
    const inventory = parseInventory(
      "targets:\n  - 127.91.0.0/29\n  - { address: 127.91.0.5, tags: [fragile], excludePorts: '3-4' }\n  - 127.91.0.6\nports:\n  tcp: '1-10'\n",
      'test',
    );
    const hosts = inventory.targets.map((t) => (typeof t === 'string' ? { address: t, tags: [] } : t));
    const plan = await planScan(
      definitionScanRequest(
        { tcpPorts: null, udpPorts: null, serviceGroups: [], checks: [] },
        {
          inventory,
          hosts,
          origins: hosts.map((_, i) => ({ file: 'test', line: i + 2 })),
          source: 'test',
          name: 'test',
        },
        { scope: request.scope, maxHosts: 100, noReverse: true },
      ),
    );
    expect(plan.hostCount).toBe(8);
    // 8 hosts × 10 ports, less the 2 that one host never gets: what progress and the report count.
    expect(plan.totalProbes).toBe(78);
    const { chunks } = await planChunks(plan, 1000);
    expect(chunks.reduce((n, c) => n + c.probes, 0)).toBe(78);
    const targets = chunks.flatMap((c) => c.targets);
    expect(targets.map((t) => t.address)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `127.91.0.${i}`));
    expect(targets.filter((t) => t.exclude)).toEqual([
      { host: '127.91.0.5', address: '127.91.0.5', family: 4, exclude: { tcp: [[3, 4]], udp: [[3, 4]] } },
    ]);
  });

  it('narrows the deployment scope with stored rules, never widens it', () => {
    const ceiling = { allow: ['127.0.0.0/8'], deny: ['127.0.0.9/32'] };
    expect(
      narrowScope(ceiling, [
        { action: 'allow', cidr: '127.91.0.0/16' },
        { action: 'allow', cidr: '10.0.0.0/8' }, // outside the ceiling: ignored
        { action: 'deny', cidr: '127.91.0.5/32' },
      ]),
    ).toEqual({ allow: ['127.91.0.0/16'], deny: ['127.0.0.9/32', '127.91.0.5/32'] });
    expect(narrowScope(ceiling, [])).toEqual({ allow: ['127.0.0.0/8'], deny: ['127.0.0.9/32'] });
  });

  it('encodes a job without communities and decodes it under the worker caps', async () => {
    const plan = await planScan(request);
    const id = '5b0c1f9e-2d7a-4c53-9a57-1f1a3c7d9e21';
    const job = toJobConfig(plan.config, [id]);
    expect(JSON.stringify(job)).not.toContain('s3cret');
    expect(JobScanConfigSchema.parse(job).communityCredentialIds).toEqual([id]);
    // The worker's own scope leaves out one address the job's scope allows.
    const config = toScanConfig(
      job,
      { communities: [], v3Users: [] },
      {
        probeConcurrency: 8,
        rate: 100,
        probeDeadlineMs: 500,
        scope: { allow: ['127.0.0.0/8'], deny: ['127.91.0.2/32'] },
      },
    );
    expect(config.protocolOptions.snmp.communities).toEqual(['public']);
    expect(config.limits.concurrency).toBeLessThanOrEqual(8);
    expect(config.limits.ratePerSecond).toBe(100);
    expect(config.timing.maxTimeoutMs).toBeLessThanOrEqual(500);
    expect(config.ports.tcp).toEqual(plan.config.ports.tcp);
    // The worker re-checks the job's scope and its own on the addresses it was given.
    const { plan: chunk, refused } = chunkPlan(
      [
        { host: 'a', address: '127.91.0.1', family: 4 },
        { host: 'b', address: '192.0.2.1', family: 4 },
        { host: 'c', address: '127.91.0.2', family: 4 },
      ],
      config,
    );
    expect(chunk.hostCount).toBe(1);
    expect(refused.map((r) => r.address)).toEqual(['192.0.2.1', '127.91.0.2']);
    expect(refused[1]!.error).toMatch(/127\.91\.0\.2 is in the scope denylist/);
  });
});
