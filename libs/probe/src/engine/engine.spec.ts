import dgram from 'node:dgram';
import net from 'node:net';

import type { ProtocolPlugin } from '../protocols/plugin.js';
import { noReplyResult, udpExchange } from '../protocols/common/udp-exchange.js';
import { collectEvents, portList, testScanOptions } from '../testing/scan-options.js';
import type { ProbeTarget } from './port-probe.js';
import { DEFAULT_LIMITS, scan, type ScanOptions } from './scanner.js';
import { tcpConnect, tcpConnectViaNet, SourcePortInUseError } from './tcp-connect.js';

// Everything here talks to in-process servers on 127.0.0.1 only.
const LOCAL: ProbeTarget = { host: 'localhost-test', address: '127.0.0.1', family: 4 };

function options(over: Partial<ScanOptions> = {}): ScanOptions {
  return testScanOptions({ serviceName: (_p, port) => (port === 7 ? 'echo' : undefined), ...over });
}

async function tcpServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function freePort(): Promise<number> {
  const s = await tcpServer();
  await s.close();
  return s.port;
}

async function udpServer(reply: boolean) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (_m, rinfo) => reply && socket.send(Buffer.from('pong'), rinfo.port, rinfo.address));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

describe('tcpConnect', () => {
  it('sees an accepted connection and a reset, through both implementations', async () => {
    const server = await tcpServer();
    const closed = await freePort();
    try {
      for (const connect of [tcpConnect, tcpConnectViaNet]) {
        const open = await connect({
          address: '127.0.0.1',
          family: 4,
          port: server.port,
          timeoutMs: () => 1000,
        });
        expect(open.outcome).toBe('open');
        expect(open.rttMs).toBeGreaterThanOrEqual(0);
        const refused = await connect({
          address: '127.0.0.1',
          family: 4,
          port: closed,
          timeoutMs: () => 1000,
        });
        expect(refused.outcome).toBe('refused');
      }
    } finally {
      await server.close();
    }
  });

  it('reports a fixed source port that is in use as an error, not a port state', async () => {
    const busy = await tcpServer();
    const target = await tcpServer();
    try {
      await expect(
        tcpConnect({
          address: '127.0.0.1',
          family: 4,
          port: target.port,
          sourcePort: busy.port,
          timeoutMs: () => 500,
        }),
      ).rejects.toBeInstanceOf(SourcePortInUseError);
    } finally {
      await busy.close();
      await target.close();
    }
  });
});

describe('scan', () => {
  it('decides TCP and UDP states as PortQry does', async () => {
    const tcpOpen = await tcpServer();
    const tcpClosed = await freePort();
    const udpEcho = await udpServer(true);
    const udpSilent = await udpServer(false);
    const udpClosed = await freePort(); // nothing bound on UDP either (checked below via the state)
    try {
      const events = await collectEvents(
        scan(
          [LOCAL],
          options({
            ports: {
              tcp: portList([tcpOpen.port, tcpClosed]),
              udp: portList([udpEcho.port, udpSilent.port, udpClosed]),
            },
          }),
        ),
      );
      const states = Object.fromEntries(
        events.flatMap((e) =>
          e.type === 'observation' ? [[`${e.observation.proto}/${e.observation.port}`, e.observation]] : [],
        ),
      );
      expect(states[`tcp/${tcpOpen.port}`]).toMatchObject({
        state: 'LISTENING',
        reason: 'syn-ack',
        host: 'localhost-test',
      });
      expect(states[`tcp/${tcpClosed}`]).toMatchObject({ state: 'NOT LISTENING', reason: 'conn-refused' });
      expect(states[`udp/${udpEcho.port}`]).toMatchObject({ state: 'LISTENING', reason: 'udp-response' });
      expect(states[`udp/${udpSilent.port}`]).toMatchObject({
        state: 'LISTENING or FILTERED',
        reason: 'no-response',
      });
      expect(states[`udp/${udpClosed}`]).toMatchObject({
        state: 'NOT LISTENING',
        reason: 'icmp-port-unreachable',
      });
      expect(events.at(-2)).toEqual({ type: 'host-done', target: LOCAL });
      // The scan ends with its network evidence: every port answered on its first attempt here.
      expect(events.at(-1)).toEqual({
        type: 'network',
        network: { retransmissions: 0, recovered: 0, undecided: 0 },
      });
    } finally {
      await Promise.all([tcpOpen.close(), udpEcho.close(), udpSilent.close()]);
    }
  });

  it('turns silence to a formatted UDP query into FILTERED, never LISTENING', async () => {
    const silent = await udpServer(false);
    const echo = await udpServer(true);
    const silentPlugin: ProtocolPlugin = {
      name: 'silent',
      ports: { udp: [silent.port] },
      query: async () => ({ status: 'io-timeout', answered: false }),
      describe: () => [],
    };
    const answeringPlugin: ProtocolPlugin = {
      name: 'answers',
      ports: { udp: [echo.port] },
      query: async () => ({ status: 'success', answered: true, evidence: 'pong' }),
      describe: () => [],
    };
    try {
      for (const udpMode of ['fast', 'portqry'] as const) {
        const events = await collectEvents(
          scan(
            [LOCAL],
            options({
              udpMode,
              ports: { tcp: portList([]), udp: portList([silent.port, echo.port]) },
              pluginFor: (_proto, port) =>
                port === silent.port ? silentPlugin : port === echo.port ? answeringPlugin : undefined,
            }),
          ),
        );
        const obs = events.flatMap((e) => (e.type === 'observation' ? [e.observation] : []));
        expect(obs.find((o) => o.port === silent.port)).toMatchObject({
          state: 'FILTERED',
          protocol: { name: 'silent', status: 'io-timeout' },
        });
        expect(obs.find((o) => o.port === echo.port)).toMatchObject({ state: 'LISTENING', evidence: 'pong' });
      }
    } finally {
      await Promise.all([silent.close(), echo.close()]);
    }
  });

  it('shortens a silent UDP query to a few host timeouts once another port measured the host', async () => {
    const silent = await udpServer(false);
    const closed = await freePort(); // nothing bound on UDP either: ICMP port unreachable
    // The real UDP transport, so the engine's patience is what decides when silence is final.
    const plugin: ProtocolPlugin = {
      name: 'test-udp',
      ports: { udp: [silent.port] },
      query: async (ctx) => {
        const e = await udpExchange({ ctx, packets: [Buffer.from('ping')] });
        return e.kind === 'reply' ? { status: 'success', answered: true } : noReplyResult(e, 'test');
      },
      describe: () => [],
    };
    const run = async (udp: number[]) => {
      const events = await collectEvents(
        scan(
          [LOCAL],
          options({
            udpAttempts: 3,
            udpQueryTimeoutMs: 2_500,
            ports: { tcp: portList([]), udp: portList(udp) },
            pluginFor: (_proto, port) => (port === silent.port ? plugin : undefined),
          }),
        ),
      );
      return events.flatMap((e) => (e.type === 'observation' ? [e.observation] : []));
    };
    try {
      // The closed port's ICMP measures the host while the silent port's query runs.
      const measured = await run([silent.port, closed]);
      expect(measured.find((o) => o.port === closed)).toMatchObject({ state: 'NOT LISTENING' });
      const quiet = measured.find((o) => o.port === silent.port)!;
      expect(quiet).toMatchObject({ state: 'FILTERED', protocol: { status: 'io-timeout' } });
      expect(quiet.protocol!.durationMs).toBeLessThan(1_500); // 3 × the host timeout, not the 2.5 s window

      // Alone, nothing measures the host, and the query listens for its whole window.
      const alone = await run([silent.port]);
      expect(alone[0]).toMatchObject({ state: 'FILTERED', protocol: { status: 'io-timeout' } });
      expect(alone[0]!.protocol!.durationMs).toBeGreaterThan(2_300);
    } finally {
      await silent.close();
    }
  }, 10_000);

  it('refuses out-of-scope addresses without probing them', async () => {
    const events = await collectEvents(
      scan(
        [{ host: 'x', address: '192.0.2.1', family: 4 }],
        options({ ports: { tcp: portList([80]), udp: portList([]) } }),
      ),
    );
    expect(events).toEqual([
      {
        type: 'host-refused',
        target: { host: 'x', address: '192.0.2.1', family: 4 },
        reason: 'outside 127.0.0.0/8',
      },
      { type: 'network', network: { retransmissions: 0, recovered: 0, undecided: 0 } },
    ]);
  });

  it('never lets a hanging plugin hang the scan', async () => {
    const server = await tcpServer();
    const hanging: ProtocolPlugin = {
      name: 'hangs',
      ports: { tcp: [server.port] },
      query: () => new Promise(() => {}),
      describe: () => [],
    };
    try {
      const events = await collectEvents(
        scan(
          [LOCAL],
          options({
            tcpQueryTimeoutMs: 100,
            pluginFor: () => hanging,
            ports: { tcp: portList([server.port]), udp: portList([]) },
          }),
        ),
      );
      const obs = events.find((e) => e.type === 'observation');
      expect(obs).toMatchObject({
        observation: { state: 'LISTENING', protocol: { name: 'hangs', status: 'io-timeout' } },
      });
    } finally {
      await server.close();
    }
  });

  it('keeps at most perHost probes in flight against one host', async () => {
    let inflight = 0;
    let peak = 0;
    const ports = [40001, 40002, 40003, 40004, 40005, 40006];
    const slow: ProtocolPlugin = {
      name: 'slow',
      ports: {},
      query: async () => {
        peak = Math.max(peak, ++inflight);
        await new Promise((r) => setTimeout(r, 30));
        inflight--;
        return { status: 'io-timeout', answered: false };
      },
      describe: () => [],
    };
    await collectEvents(
      scan(
        [LOCAL],
        options({
          limits: { ...DEFAULT_LIMITS, perHost: 2 },
          pluginFor: () => slow,
          ports: { tcp: portList([]), udp: portList(ports) },
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});
