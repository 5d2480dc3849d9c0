import { sshPlugin } from '../protocols/ssh/index.js';
import { DEFAULT_COMMON_OPTIONS } from '../protocols/options.js';
import { startHostileServer, type HostileServer } from '../testing/hostile-servers.js';
import { portList, testScanOptions } from '../testing/scan-options.js';
import { DEFAULT_TIMING } from './rtt-estimator.js';
import { DEFAULT_LIMITS, scan, type ScanEvent } from './scanner.js';

// Hostile peers inside a scan: each query ends at its cap or deadline, and the run goes on.
const ADDRESS = '127.42.0.1';

describe('a scan with hostile targets', () => {
  let servers: HostileServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  it('caps an endless banner, times out a tarpit, and still reports every port', async () => {
    const endless = await startHostileServer('endless-banner', { address: ADDRESS, prefix: 'SSH-2.0-' });
    const tarpit = await startHostileServer('tarpit', { address: ADDRESS });
    const honest = await startHostileServer('script', {
      address: ADDRESS,
      script: (s) => s.end('SSH-2.0-OpenSSH_9.2p1 honest\r\n'),
    });
    servers = [endless, tarpit, honest];
    const opts = testScanOptions({
      ports: { tcp: portList([endless.port, tarpit.port, honest.port]), udp: portList([]) },
      timing: DEFAULT_TIMING,
      pluginFor: () => sshPlugin,
      protocolOptions: { ...DEFAULT_COMMON_OPTIONS, maxResponseBytes: 4096 },
      tcpQueryTimeoutMs: 1500,
    });
    const events: ScanEvent[] = [];
    for await (const batch of scan([{ host: 'hostile', address: ADDRESS, family: 4 }], opts))
      events.push(...batch);

    const byPort = new Map(
      events.flatMap((e) => (e.type === 'observation' ? [[e.observation.port, e.observation]] : [])),
    );
    expect(byPort.get(endless.port)).toMatchObject({
      state: 'LISTENING',
      protocol: { name: 'ssh', status: 'truncated' },
    });
    expect(byPort.get(tarpit.port)).toMatchObject({
      state: 'LISTENING',
      protocol: { name: 'ssh', status: 'io-timeout' },
    });
    expect(byPort.get(honest.port)).toMatchObject({
      state: 'LISTENING',
      protocol: { status: 'success' },
      ssh: { software: 'OpenSSH_9.2p1' },
    });
    expect(events.map((e) => e.type).slice(-2)).toEqual(['host-done', 'network']);
    // The endless server wrote far less than its 64 MiB bound: the client stopped reading and hung up.
    expect(endless.connections.every((c) => c.bytesWritten < 4 * 1024 * 1024)).toBe(true);
    expect(await endless.allClosed(2000)).toBe(true);
    expect(await tarpit.allClosed(2000)).toBe(true);
  });
});

describe('scanner memory bounds', () => {
  it('pulls targets lazily: never more than the host group ahead of finished hosts', async () => {
    const closed = await startHostileServer('tarpit', { address: '127.0.0.1' });
    const port = closed.port;
    await closed.close(); // now nothing listens there: every probe is a fast reset
    let pulled = 0;
    let finished = 0;
    let worstAhead = 0;
    function* targets() {
      for (let i = 0; i < 200; i++) {
        pulled++;
        worstAhead = Math.max(worstAhead, pulled - finished);
        yield { host: `t${i}`, address: '127.0.0.1', family: 4 as const };
      }
    }
    const opts = testScanOptions({
      ports: { tcp: portList([port]), udp: portList([]) },
      limits: { ...DEFAULT_LIMITS, hostGroupSize: 8 },
      timing: DEFAULT_TIMING,
      tcpAttempts: 1,
      udpAttempts: 1,
      tcpQueryTimeoutMs: 100,
    });
    for await (const batch of scan(targets(), opts))
      finished += batch.filter((e) => e.type === 'host-done').length;
    expect(finished).toBe(200);
    expect(worstAhead).toBeLessThanOrEqual(8 + 1);
  });
});
