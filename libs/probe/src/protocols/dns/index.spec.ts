import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { pluginDefaults } from '../../testing/lab-ctx.js';
import type { PluginOptions, ProtocolContext } from '../plugin.js';
import { dnsPlugin } from './index.js';
import type { DnsOptions } from './options.js';

const ADDR = '127.41.0.21';
const recorded = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', 'udp-h1-test-a.bin'));
/** The recorded answer re-addressed to the query it answers (copy the query's id). */
const answerTo = (query: Buffer): Buffer => Buffer.concat([query.subarray(0, 2), recorded.subarray(2)]);

function ctx(
  port: number,
  proto: 'udp' | 'tcp',
  timeoutMs = 400,
  extra: Partial<PluginOptions<DnsOptions>> = {},
): ProtocolContext<DnsOptions> {
  return {
    host: ADDR,
    address: ADDR,
    port,
    proto,
    timeoutMs,
    signal: new AbortController().signal,
    options: { ...pluginDefaults('dns'), queryName: 'h1.test', ...extra },
  };
}

const closers: Array<() => void> = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

async function udpServer(reply: (q: Buffer) => Buffer | undefined): Promise<number> {
  const s = dgram.createSocket('udp4');
  s.on('message', (q, r) => {
    const out = reply(q);
    if (out) s.send(out, r.port, r.address);
  });
  await new Promise<void>((res) => s.bind(0, ADDR, () => res()));
  closers.push(() => s.close());
  return s.address().port;
}
async function tcpServer(onQuery: (sock: net.Socket, q: Buffer) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    sockets.add(sock);
    sock.once('data', (q) => onQuery(sock, q.subarray(2)));
  });
  await new Promise<void>((res) => srv.listen(0, ADDR, () => res()));
  closers.push(() => {
    sockets.forEach((s) => s.destroy());
    srv.close();
  });
  return (srv.address() as net.AddressInfo).port;
}

describe('dnsPlugin over UDP', () => {
  it('reports a valid answer as success with the A record', async () => {
    const port = await udpServer(answerTo);
    const r = await dnsPlugin.query(ctx(port, 'udp'));
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.data?.dns?.answers).toEqual([{ name: 'h1.test', type: 'A', data: '127.41.0.50' }]);
  });
  it('maps garbage carrying our id to protocol-error, answered', async () => {
    const port = await udpServer((q) => Buffer.concat([q.subarray(0, 2), Buffer.from('garbage!!')]));
    expect(await dnsPlugin.query(ctx(port, 'udp'))).toMatchObject({
      status: 'protocol-error',
      answered: true,
    });
  });
  it('does not trust a foreign id, but knows something answered', async () => {
    const port = await udpServer((q) =>
      Buffer.concat([Buffer.from([q[0]! ^ 0xff, q[1]!]), recorded.subarray(2)]),
    );
    expect(await dnsPlugin.query(ctx(port, 'udp'))).toMatchObject({
      status: 'protocol-error',
      answered: true,
    });
  });
  it('maps silence to io-timeout and ICMP unreachable to connection-refused', async () => {
    const silent = await udpServer(() => undefined);
    expect(await dnsPlugin.query(ctx(silent, 'udp', 200))).toMatchObject({
      status: 'io-timeout',
      answered: false,
    });
    const s = dgram.createSocket('udp4');
    await new Promise<void>((res) => s.bind(0, ADDR, () => res()));
    const closed = s.address().port;
    await new Promise<void>((res) => s.close(() => res()));
    expect(await dnsPlugin.query(ctx(closed, 'udp', 2000))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
  it('refuses an invalid query name without sending', async () => {
    const r = await dnsPlugin.query(ctx(9, 'udp', 200, { queryName: 'bad name' }));
    expect(r).toMatchObject({ status: 'application-error', answered: false });
  });
});

describe('dnsPlugin over TCP', () => {
  it('reassembles a framed answer sent in pieces', async () => {
    const port = await tcpServer((sock, q) => {
      const a = answerTo(q);
      const framed = Buffer.concat([Buffer.from([0, a.length]), a]);
      sock.write(framed.subarray(0, 1));
      setTimeout(() => sock.write(framed.subarray(1, 20)), 10);
      setTimeout(() => sock.write(framed.subarray(20)), 20);
    });
    const r = await dnsPlugin.query(ctx(port, 'tcp'));
    expect(r).toMatchObject({ status: 'success', data: { dns: { transport: 'tcp', rcode: 'NOERROR' } } });
  });
  it('stops at the cap and reports truncated', async () => {
    const port = await tcpServer((sock) => sock.write(Buffer.from([0xff, 0xff, 1, 2, 3])));
    const r = await dnsPlugin.query(ctx(port, 'tcp', 400, { maxResponseBytes: 100 }));
    expect(r).toMatchObject({ status: 'truncated', answered: true });
  });
  it('maps a connection closed mid-message to protocol-error', async () => {
    const port = await tcpServer((sock) => sock.end(Buffer.from([0, 50, 1, 2, 3])));
    expect(await dnsPlugin.query(ctx(port, 'tcp'))).toMatchObject({
      status: 'protocol-error',
      answered: true,
    });
  });
  it('maps a refused connection to connection-refused', async () => {
    const srv = net.createServer();
    await new Promise<void>((res) => srv.listen(0, ADDR, () => res()));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((res) => srv.close(() => res()));
    expect(await dnsPlugin.query(ctx(port, 'tcp'))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
});

describe('dnsPlugin.describe', () => {
  it('prints the rcode, flags and answers', () => {
    const lines = dnsPlugin.describe({
      host: 'h',
      address: ADDR,
      proto: 'udp',
      port: 53,
      state: 'LISTENING',
      reason: 'protocol-response',
      observedAt: new Date(0).toISOString(),
      dns: {
        transport: 'udp',
        rcode: 'NOERROR',
        flags: ['qr', 'aa'],
        answers: [{ name: 'h1.test', type: 'A', data: '127.41.0.50' }],
        question: { name: 'h1.test', type: 'A' },
      },
    });
    expect(lines).toEqual([
      'DNS query (UDP) for h1.test A: NOERROR',
      'flags: qr aa',
      'answer: h1.test A 127.41.0.50',
    ]);
  });
});
