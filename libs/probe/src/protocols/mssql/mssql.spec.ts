import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Observation } from '@fleetqry/contracts';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { buildBrowserResponse, mssqlPlugin, parseBrowserResponse } from './index.js';

const load = (name: string): Buffer =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', name));

describe('parseBrowserResponse (responses constructed per [MC-SQLR] 2.2.5; no SQL Server runs here)', () => {
  it('decodes a default instance', () => {
    expect(parseBrowserResponse(load('resp-one-default-instance.bin'))).toEqual({
      ok: true,
      data: {
        instances: [
          {
            serverName: 'SQLLAB01',
            instanceName: 'MSSQLSERVER',
            isClustered: false,
            version: '15.0.2000.5',
            tcpPort: 1433,
            namedPipe: '\\\\SQLLAB01\\pipe\\sql\\query',
          },
        ],
      },
    });
  });

  it('decodes several instances, a cluster, and the rarer protocol tokens (via, rpc, bv)', () => {
    const r = parseBrowserResponse(load('resp-three-instances.bin'));
    if (!r.ok) throw new Error(r.error);
    expect(r.data.instances.map((i) => [i.instanceName, i.isClustered, i.version, i.tcpPort])).toEqual([
      ['MSSQLSERVER', false, '16.0.1000.6', 1433],
      ['SQLEXPRESS', false, '14.0.1000.169', 49721],
      ['CLUSTERED', true, '13.0.5026.0', undefined],
    ]);
    expect(r.data.instances[2]!.other).toEqual({ via: 'SQLCLU01,1433', rpc: 'SQLCLU01', bv: 'item;group' });
  });

  it.each([
    ['malformed-truncated.bin', /RESP_SIZE/],
    ['malformed-size-overflow.bin', /RESP_SIZE 65535/],
    ['malformed-not-svr-resp.bin', /not SVR_RESP/],
    ['malformed-missing-terminator.bin', /";;"/],
    ['malformed-bad-port.bin', /not a port number/],
    ['malformed-unknown-token.bin', /unknown protocol token "xyz"/],
    ['malformed-field-order.bin', /expected ServerName/],
    ['malformed-short.bin', /shorter/],
  ])('%s → error', (name, why) => {
    const r = parseBrowserResponse(load(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('strips control characters from values and caps them', () => {
    const r = parseBrowserResponse(
      buildBrowserResponse(
        `ServerName;A\x1b[31mB;InstanceName;${'I'.repeat(2000)};IsClustered;No;Version;1;;`,
      ),
    );
    if (!r.ok) throw new Error(r.error);
    expect(r.data.instances[0]!.serverName).toBe('A [31mB');
    expect(r.data.instances[0]!.instanceName.length).toBeLessThanOrEqual(257);
  });
});

async function responder(reply: (req: Buffer) => Buffer | undefined) {
  const sock = dgram.createSocket('udp4');
  const seen: Buffer[] = [];
  sock.on('message', (msg, rinfo) => {
    seen.push(msg);
    const out = reply(msg);
    if (out) sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.44.0.21', () => r()));
  return { port: sock.address().port, seen, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

const ctx = (port: number, timeoutMs = 400): ProtocolContext => ({
  host: 'fake',
  address: '127.44.0.21',
  port,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

describe('mssqlPlugin.query against an in-process fake browser', () => {
  it('sends CLNT_UCAST_EX and reports the instances', async () => {
    const fake = await responder((req) =>
      req.equals(Buffer.from([3])) ? load('resp-three-instances.bin') : undefined,
    );
    try {
      const r = await mssqlPlugin.query(ctx(fake.port));
      expect(fake.seen[0]).toEqual(load('request-clnt-ucast-ex.bin'));
      expect(r).toMatchObject({
        status: 'success',
        answered: true,
        evidence: 'ServerName=SQLLAB02 InstanceName=MSSQLSERVER Version=16.0.1000.6 tcp=1433',
      });
      expect(r.data?.mssql?.instances).toHaveLength(3);
    } finally {
      await fake.close();
    }
  });

  it('any other datagram is still an answer (protocol-error); silence is io-timeout', async () => {
    const junk = await responder(() => Buffer.from('hello'));
    const mute = await responder(() => undefined);
    try {
      expect(await mssqlPlugin.query(ctx(junk.port))).toMatchObject({
        status: 'protocol-error',
        answered: true,
      });
      expect(await mssqlPlugin.query(ctx(mute.port, 300))).toMatchObject({
        status: 'io-timeout',
        answered: false,
      });
    } finally {
      await junk.close();
      await mute.close();
    }
  });

  it('maps ICMP port unreachable to connection-refused', async () => {
    const c = await responder(() => undefined);
    await c.close();
    expect(await mssqlPlugin.query(ctx(c.port, 2000))).toMatchObject({ status: 'connection-refused' });
  });
});

describe('mssqlPlugin.describe', () => {
  it("prints PortQry's key/value block", () => {
    const r = parseBrowserResponse(load('resp-one-default-instance.bin'));
    if (!r.ok) throw new Error(r.error);
    const obs: Observation = {
      host: 'h',
      address: '127.44.0.21',
      proto: 'udp',
      port: 1434,
      state: 'LISTENING',
      reason: 'protocol-response',
      observedAt: new Date(0).toISOString(),
      mssql: r.data,
    };
    expect(mssqlPlugin.describe(obs)).toEqual([
      "Server's response:",
      '',
      'ServerName SQLLAB01',
      'InstanceName MSSQLSERVER',
      'IsClustered No',
      'Version 15.0.2000.5',
      'tcp 1433',
      'np \\\\SQLLAB01\\pipe\\sql\\query',
      '',
      '==============================================================',
    ]);
  });
});
