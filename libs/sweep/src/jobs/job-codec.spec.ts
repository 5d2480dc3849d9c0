import { JobScanConfigSchema, type ChunkTarget } from '@fleetqry/contracts';
import { planScan, type ScanConfig } from '@fleetqry/probe';

import { chunkPlan, toJobConfig, toScanConfig, type ChunkLimits } from './job-codec.js';

const ID = '3f1c2b9e-8d4a-4c1e-9b2a-1a2b3c4d5e6f';
const WIDE: ChunkLimits = {
  probeConcurrency: 100_000,
  rate: 0,
  probeDeadlineMs: 3_600_000,
  scope: { allow: ['127.0.0.0/8'], deny: [] },
};

const NO_SECRETS = { communities: [], v3Users: [] };

async function scanConfig(): Promise<ScanConfig> {
  const plan = await planScan({
    targets: ['127.0.0.1'],
    ports: { tcp: '22,80-81', udp: '161', defaultExcludedPorts: '2024' },
    scope: { allow: ['127.0.0.0/8'], deny: [] },
    maxHosts: 256,
    noReverse: true,
    dnsServers: [],
    communities: ['n0t-public'],
  });
  return plan.config;
}

describe('toJobConfig / toScanConfig', () => {
  it('encodes a plan’s config as a valid job config, its communities replaced by credential ids', async () => {
    const config = await scanConfig();
    const job = toJobConfig(config, [ID]);
    expect(JobScanConfigSchema.parse(job)).toBeDefined();
    expect(job.communityCredentialIds).toEqual([ID]);
    expect(JSON.stringify(job)).not.toContain('n0t-public');
    expect(job.ports).toEqual({
      tcp: [
        [22, 22],
        [80, 81],
      ],
      udp: [[161, 161]],
    });
  });

  it('decodes to the same config, with the fetched communities back and the worker’s scope added', async () => {
    const config = await scanConfig();
    const back = toScanConfig(toJobConfig(config, [ID]), { communities: ['n0t-public'], v3Users: [] }, WIDE);
    expect(back).toEqual({ ...config, localScope: WIDE.scope });
  });

  it('tries `public` when the job names no community', async () => {
    const back = toScanConfig(toJobConfig(await scanConfig(), []), NO_SECRETS, WIDE);
    expect(back.protocolOptions.snmp.communities).toEqual(['public']);
  });

  it('applies the worker’s caps: concurrency, rate and a deadline on every wait', async () => {
    const config = await scanConfig();
    const job = toJobConfig(
      { ...config, limits: { ...config.limits, concurrency: 500, perHost: 64, ratePerSecond: 0 } },
      [],
    );
    const capped = toScanConfig(job, NO_SECRETS, {
      ...WIDE,
      probeConcurrency: 32,
      rate: 100,
      probeDeadlineMs: 400,
    });
    expect(capped.limits).toMatchObject({ concurrency: 32, perHost: 32, ratePerSecond: 100 });
    expect(capped.timing).toMatchObject({
      maxTimeoutMs: 400,
      initialTimeoutMs: 400,
      udpRecheckBudgetMs: 400,
    });
    expect(capped.timing.minTimeoutMs).toBeLessThanOrEqual(400);
    expect([capped.tcpQueryTimeoutMs, capped.udpQueryTimeoutMs]).toEqual([400, 400]);
    expect(capped.udpQuietMinMs).toBeLessThanOrEqual(400);

    // A job's own lower rate stands; a higher one is capped; a worker without a cap leaves it.
    const rate = (job: number, cap: number) =>
      toScanConfig(
        toJobConfig({ ...config, limits: { ...config.limits, ratePerSecond: job } }, []),
        NO_SECRETS,
        {
          ...WIDE,
          rate: cap,
        },
      ).limits.ratePerSecond;
    expect([rate(50, 100), rate(500, 100), rate(500, 0), rate(0, 0)]).toEqual([50, 100, 500, 0]);
  });

  it('fills timing fields an older controller’s job lacks with the defaults', async () => {
    const job = toJobConfig(await scanConfig(), []);
    const { udpRecheckBudgetMs: _b, icmpRefillMs: _r, ...older } = job.timing as Record<string, number>;
    const back = toScanConfig(
      { ...job, timing: older as typeof job.timing, udpQuietMinMs: undefined },
      NO_SECRETS,
      WIDE,
    );
    expect(back.timing.udpRecheckBudgetMs).toBeGreaterThan(0);
    expect(back.timing.icmpRefillMs).toBeGreaterThan(0);
    expect(back.udpQuietMinMs).toBeGreaterThan(0);
  });
});

describe('SNMPv3 users', () => {
  const user = { user: 'fq-v3', authProtocol: 'sha256', authKey: 'v3-auth-passphrase' } as const;

  it('stay out of the job, which refuses them, and the fetched ones go back in', async () => {
    const plan = await planScan({
      targets: ['127.0.0.1'],
      ports: { udp: '161' },
      scope: { allow: ['127.0.0.0/8'] },
      maxHosts: 1,
      noReverse: true,
      protocolOptions: { snmp: { v3Users: [user] } },
    });
    const job = toJobConfig(plan.config, []);
    expect(JSON.stringify(job)).not.toContain('v3-auth-passphrase');
    expect(JobScanConfigSchema.safeParse(job).success).toBe(true);
    const smuggle = (snmp: object) => ({ ...job, protocolOptions: { ...job.protocolOptions, snmp } });
    expect(JobScanConfigSchema.safeParse(smuggle({ v3Users: [user] })).success).toBe(false);
    expect(JobScanConfigSchema.safeParse(smuggle({ communities: ['c'] })).success).toBe(false);
    const config = toScanConfig(job, { communities: ['c'], v3Users: [user] }, WIDE);
    expect(config.protocolOptions.snmp).toMatchObject({ communities: ['c'], v3Users: [user] });
  });

  it('are refused at plan time when malformed, naming the field', async () => {
    await expect(
      planScan({
        targets: ['127.0.0.1'],
        ports: { udp: '161' },
        scope: { allow: ['127.0.0.0/8'] },
        maxHosts: 1,
        protocolOptions: { snmp: { v3Users: [{ user: 'u', authProtocol: 'md5', authKey: 'short' }] } },
      }),
    ).rejects.toThrow('snmp.v3Users[0].authKey: must be at least 8 characters');
  });
});

describe('chunkPlan', () => {
  const targets: ChunkTarget[] = [
    { host: 'a', address: '127.0.0.1', family: 4 },
    { host: 'b', address: '127.9.0.1', family: 4 },
    { host: 'c', address: '127.0.0.2', family: 4, exclude: { tcp: [[22, 22]], udp: [] } },
  ];

  it('checks the job’s scope and the worker’s own again, and plans the rest', async () => {
    const config = toScanConfig(toJobConfig(await scanConfig(), []), NO_SECRETS, {
      ...WIDE,
      scope: { allow: ['127.0.0.0/16'], deny: [] },
    });
    const { plan, refused } = chunkPlan(targets, config);
    expect(refused).toEqual([
      { given: 'b', host: 'b', address: '127.9.0.1', error: expect.stringMatching(/^refused: /) },
    ]);
    expect(plan.hostCount).toBe(2);
    expect(plan.probesPerHost).toBe(4); // tcp 22, 80, 81 and udp 161
    const planned = [];
    for await (const t of plan.targets()) planned.push(t);
    expect(planned).toEqual([
      { ok: true, target: { ...targets[0], given: 'a' } },
      { ok: true, target: { ...targets[2], given: 'c' } },
    ]);
  });

  it('refuses what the job’s own scope denies, whatever the worker allows', async () => {
    const job = toJobConfig(await scanConfig(), []);
    const config = toScanConfig(
      { ...job, scope: { allow: ['127.0.0.0/8'], deny: ['127.0.0.2/32'] } },
      NO_SECRETS,
      WIDE,
    );
    const { refused, plan } = chunkPlan(targets, config);
    expect(refused.map((r) => r.host)).toEqual(['c']);
    expect(plan.hostCount).toBe(2);
  });
});
