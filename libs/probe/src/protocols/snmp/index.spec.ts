import dgram from 'node:dgram';

import type { Observation } from '@fleetqry/contracts';

import { pluginDefaults } from '../../testing/lab-ctx.js';
import { type ProtocolContext } from '../plugin.js';
import { snmpPlugin, validateCommunity } from './index.js';
import type { SnmpOptions } from './options.js';
import type { SnmpVersion } from './message.js';

/** In-process fake agent on 127.41.0.20: answers the accepted (community, version) pairs by echoing the
 * GetRequest as a Response (tag 0xa0 → 0xa2, values stay Null), which is a valid SNMP answer. */
interface FakeAgent {
  port: number;
  received: number;
  close(): Promise<void>;
}
async function fakeAgent(opts: {
  accept?: Array<[string, SnmpVersion]>;
  dropFirst?: boolean;
  garbage?: boolean;
}): Promise<FakeAgent> {
  const sock = dgram.createSocket('udp4');
  const seen = new Set<string>();
  const agent: FakeAgent = { port: 0, received: 0, close: () => new Promise((r) => sock.close(() => r())) };
  sock.on('message', (msg, rinfo) => {
    if (msg[4] === 3) return; // the SNMPv3 discovery that rides along; this fake speaks v1/v2c only
    agent.received++;
    if (opts.garbage) return void sock.send(Buffer.from('\x30\x03\x02\x01'), rinfo.port, rinfo.address);
    const version: SnmpVersion = msg[4] === 0 ? 'v1' : 'v2c';
    const clen = msg[6]!;
    const community = msg.subarray(7, 7 + clen).toString();
    if (!opts.accept?.some(([c, v]) => c === community && v === version)) return;
    const key = msg.toString('hex');
    if (opts.dropFirst && !seen.has(key)) return void seen.add(key);
    const reply = Buffer.from(msg);
    reply[7 + clen] = 0xa2;
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.41.0.20', () => r()));
  agent.port = sock.address().port;
  return agent;
}

function ctx(
  port: number,
  communities: string[],
  timeoutMs = 600,
  signal = new AbortController().signal,
): ProtocolContext<SnmpOptions> {
  return {
    host: 'fake',
    address: '127.41.0.20',
    port,
    proto: 'udp',
    timeoutMs,
    signal,
    options: { ...pluginDefaults('snmp'), communities },
  };
}

const SECRET = 'Sup3r-s3cret';
let agents: FakeAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.map((a) => a.close()));
  agents = [];
});
async function start(opts: Parameters<typeof fakeAgent>[0]): Promise<FakeAgent> {
  const a = await fakeAgent(opts);
  agents.push(a);
  return a;
}

describe('snmpPlugin.query against fake agents', () => {
  it('reports accepted communities with their versions and counts the rest', async () => {
    const a = await start({
      accept: [
        ['public', 'v1'],
        ['public', 'v2c'],
        [SECRET, 'v2c'],
      ],
    });
    const r = await snmpPlugin.query(ctx(a.port, ['nope', 'public', SECRET, 'private']));
    expect(r).toMatchObject({ status: 'success', answered: true });
    expect(r.data?.snmp).toMatchObject({
      communities: ['public', SECRET],
      versions: { public: ['v1', 'v2c'], [SECRET]: ['v2c'] },
      rejectedCount: 2,
    });
    // Communities only ever appear in data.snmp.
    expect(`${r.detail} ${r.evidence}`).not.toMatch(/public|Sup3r|nope|private/);
  });

  it('catches a v1-only agent', async () => {
    const a = await start({ accept: [['public', 'v1']] });
    const r = await snmpPlugin.query(ctx(a.port, ['public']));
    expect(r.data?.snmp?.versions).toEqual({ public: ['v1'] });
  });

  it('finishes as soon as every request is answered', async () => {
    const a = await start({
      accept: [
        ['public', 'v1'],
        ['public', 'v2c'],
      ],
    });
    const t0 = performance.now();
    const r = await snmpPlugin.query(ctx(a.port, ['public'], 3000));
    expect(r.status).toBe('success');
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('resends unanswered requests once', async () => {
    const a = await start({ accept: [['public', 'v2c']], dropFirst: true });
    const r = await snmpPlugin.query(ctx(a.port, ['public'], 600));
    expect(r.status).toBe('success');
    expect(a.received).toBe(4); // 2 requests, each sent twice
  });

  it('reports rejected (answered: false) when no community is accepted, within the deadline', async () => {
    const a = await start({ accept: [] });
    const t0 = performance.now();
    const r = await snmpPlugin.query(ctx(a.port, ['a', 'b', 'c'], 400));
    expect(performance.now() - t0).toBeLessThan(400);
    expect(r).toMatchObject({
      status: 'rejected',
      answered: false,
      data: { snmp: { communities: [], rejectedCount: 3 } },
    });
  });

  it('maps garbage replies to protocol-error, answered', async () => {
    const a = await start({ garbage: true });
    const r = await snmpPlugin.query(ctx(a.port, ['public'], 300));
    expect(r).toMatchObject({ status: 'protocol-error', answered: true });
  });

  it('maps ICMP port unreachable to connection-refused', async () => {
    const a = await fakeAgent({});
    const port = a.port;
    await a.close();
    const t0 = performance.now();
    const r = await snmpPlugin.query(ctx(port, ['public'], 2000));
    expect(r).toMatchObject({ status: 'connection-refused', answered: false });
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('settles promptly on abort', async () => {
    const a = await start({ accept: [] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    const r = await snmpPlugin.query(ctx(a.port, ['public'], 5000, ac.signal));
    expect(performance.now() - t0).toBeLessThan(300);
    expect(r).toMatchObject({ status: 'io-timeout', answered: false });
  });

  it('refuses invalid communities without sending or echoing them', async () => {
    const a = await start({ accept: [['public', 'v1']] });
    const r = await snmpPlugin.query(ctx(a.port, ['public', 'bad\nSECRETX']));
    expect(r.status).toBe('application-error');
    expect(r.detail).toMatch(/#2.*control character/);
    expect(r.detail).not.toContain('SECRETX');
    expect(a.received).toBe(0);
  });
});

describe('validateCommunity', () => {
  it.each([
    ['', /empty/],
    ['x'.repeat(256), /256 bytes/],
    ['é'.repeat(128), /256 bytes/],
    ['ab\tcd', /control/],
    ['ab\u007fcd', /control/],
    ['ab\u0085cd', /control/],
  ])('rejects %j without echoing it', (c, why) => {
    const problem = validateCommunity(c);
    expect(problem).toMatch(why);
    if (c) expect(problem).not.toContain(c);
  });
  it('accepts ordinary and 255-byte communities', () => {
    expect(validateCommunity('public')).toBeUndefined();
    expect(validateCommunity('p'.repeat(255))).toBeUndefined();
    expect(validateCommunity('with space!#')).toBeUndefined();
  });
});

describe('snmpPlugin.describe', () => {
  const base: Observation = {
    host: 'h',
    address: '127.41.0.1',
    proto: 'udp',
    port: 161,
    state: 'LISTENING',
    reason: 'protocol-response',
    observedAt: new Date(0).toISOString(),
  };
  it('prints PortQry-like community lines and the system group', () => {
    const lines = snmpPlugin.describe({
      ...base,
      snmp: {
        communities: ['public'],
        versions: { public: ['v1', 'v2c'] },
        rejectedCount: 19,
        sysDescr: 'Linux lab',
        sysName: 'lab',
        sysObjectID: '1.3.6.1.4.1.8072.3.2.10',
      },
    });
    expect(lines).toEqual([
      'community name: public (SNMP v1, v2c)',
      'community names rejected (no reply): 19',
      'sysDescr: Linux lab',
      'sysName: lab',
      'sysObjectID: 1.3.6.1.4.1.8072.3.2.10',
    ]);
  });
  it('says when nothing was accepted', () => {
    const lines = snmpPlugin.describe({
      ...base,
      state: 'FILTERED',
      snmp: { communities: [], rejectedCount: 2 },
    });
    expect(lines[0]).toBe('no community name was accepted by the SNMP agent');
  });
});
