/**
 * The real node:dns Resolver path (`--dns-server`) against a DNS server started here on 127.0.0.1
 * with a random port. Nothing reaches the machine's resolver.
 */
import dgram from 'node:dgram';

import * as dnsPacket from 'dns-packet';

import { DnsServerParseError, TargetResolutionError } from './errors.js';
import { resolveTargets, type TargetOutcome } from './resolve.js';
import { createTargetResolver, DnsTargetResolver, parseDnsServer } from './resolver.js';
import { parseTargets } from './spec.js';

type Zone = Record<string, { A?: string[]; AAAA?: string[]; PTR?: string[] }>;

const ZONE: Zone = {
  'host1.lab.test': { A: ['127.0.0.5'] },
  'dual.lab.test': { A: ['127.0.0.6'], AAAA: ['::1'] },
  'v6.lab.test': { AAAA: ['::1'] },
  'outside.lab.test': { A: ['10.0.0.1'] },
  '5.0.0.127.in-addr.arpa': { PTR: ['host1.lab.test'] },
  '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa': { PTR: ['loopback6.lab.test'] },
};
const SILENT = 'slow.lab.test';

interface TestDns {
  server: string;
  queries: { name: string; type: string }[];
  close(): Promise<void>;
}

async function startDns(): Promise<TestDns> {
  const socket = dgram.createSocket('udp4');
  const queries: TestDns['queries'] = [];
  socket.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    queries.push({ name, type: question.type });
    if (name === SILENT) return;
    const records = ZONE[name];
    const data = records?.[question.type as 'A' | 'AAAA' | 'PTR'] ?? [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      // NXDOMAIN (rcode 3) for unknown names, NOERROR/empty for a known name without that type.
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | (records ? 0 : 3),
      questions: q.questions,
      answers: data.map((d) => ({
        type: question.type as 'A',
        name: question.name,
        ttl: 60,
        class: 'IN' as const,
        data: d,
      })),
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    server: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

async function collect(it: AsyncIterable<TargetOutcome>): Promise<TargetOutcome[]> {
  const out: TargetOutcome[] = [];
  for await (const o of it) out.push(o);
  return out;
}

describe('DnsTargetResolver against an in-test DNS server', () => {
  let dns: TestDns;
  let resolver: DnsTargetResolver;

  beforeAll(async () => {
    dns = await startDns();
    resolver = new DnsTargetResolver({ dnsServers: [dns.server], timeoutMs: 300, tries: 1 });
  });
  afterAll(() => dns.close());
  beforeEach(() => {
    dns.queries.length = 0;
  });

  it('queries only the configured server', () => {
    expect(resolver.servers()).toEqual([dns.server]);
  });

  it('resolves A, AAAA and both (IPv4 first)', async () => {
    expect(await resolver.resolve('host1.lab.test', 4)).toEqual([{ address: '127.0.0.5', family: 4 }]);
    expect(await resolver.resolve('v6.lab.test', 6)).toEqual([{ address: '::1', family: 6 }]);
    expect(await resolver.resolve('dual.lab.test', 'any')).toEqual([
      { address: '127.0.0.6', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(await resolver.resolve('v6.lab.test', 'any')).toEqual([{ address: '::1', family: 6 }]);
  });

  it('reports NXDOMAIN and missing records as TargetResolutionError', async () => {
    await expect(resolver.resolve('nope.lab.test', 'any')).rejects.toThrow(
      'cannot resolve "nope.lab.test": no such name',
    );
    await expect(resolver.resolve('host1.lab.test', 6)).rejects.toThrow(TargetResolutionError);
  });

  it('times out per query with the configured timeout and tries', async () => {
    const started = Date.now();
    await expect(resolver.resolve(SILENT, 4)).rejects.toMatchObject({ code: 'ETIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('PTR lookups, IPv4 and IPv6', async () => {
    expect(await resolver.reverse('127.0.0.5')).toEqual(['host1.lab.test']);
    expect(await resolver.reverse('::1')).toEqual(['loopback6.lab.test']);
    expect(await resolver.reverse('127.0.0.9')).toEqual([]);
  });

  it('end to end: forward + PTR through resolveTargets', async () => {
    const out = await collect(
      resolveTargets(parseTargets(['host1.lab.test', '127.0.0.5', 'nope.lab.test']), { resolver }),
    );
    expect(out[0]).toEqual({
      ok: true,
      target: { host: 'host1.lab.test', address: '127.0.0.5', family: 4, given: 'host1.lab.test' },
    });
    expect(out[1]).toEqual({
      ok: true,
      target: {
        host: 'host1.lab.test',
        address: '127.0.0.5',
        family: 4,
        given: '127.0.0.5',
        reverseLookup: 'resolved',
      },
    });
    expect(out[2]).toMatchObject({ ok: false, given: 'nope.lab.test' });
    expect(dns.queries.some((q) => q.type === 'PTR' && q.name === '5.0.0.127.in-addr.arpa')).toBe(true);
  });

  it('-nr sends no PTR query at all', async () => {
    const out = await collect(
      resolveTargets(parseTargets(['127.0.0.5', '127.0.0.0/30']), { resolver, noReverse: true }),
    );
    expect(out.map((o) => o.ok && o.target.host)).toEqual([
      '127.0.0.5',
      '127.0.0.0',
      '127.0.0.1',
      '127.0.0.2',
      '127.0.0.3',
    ]);
    expect(dns.queries).toEqual([]);
  });

  it('createTargetResolver picks the DNS path when servers are given', () => {
    expect(createTargetResolver({ dnsServers: [dns.server] })).toBeInstanceOf(DnsTargetResolver);
  });
});

describe('parseDnsServer', () => {
  it.each([
    ['127.30.0.7', '127.30.0.7'],
    ['127.30.0.7:5353', '127.30.0.7:5353'],
    ['::1', '::1'],
    ['[::1]:5353', '[::1]:5353'],
    ['[0:0::1]', '::1'],
  ])('%s', (input, expected) => {
    expect(parseDnsServer(input)).toBe(expected);
  });

  it.each([
    ['127.30.0.7:0', /port 0/],
    ['127.30.0.7:65536', /out of range/],
    ['127.30.0.7:', /empty/],
    ['127.1:53', /short-form/],
    ['dns.example', /short-form|octet/],
    ['[127.0.0.1]:53', /brackets/],
  ])('rejects %s', (input, reason) => {
    expect(() => parseDnsServer(input)).toThrow(DnsServerParseError);
    expect(() => parseDnsServer(input)).toThrow(reason);
    expect(() => parseDnsServer(input)).toThrow(`invalid DNS server "${input}"`);
  });
});
