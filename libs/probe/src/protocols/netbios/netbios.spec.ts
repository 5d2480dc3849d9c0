import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Observation } from '@fleetqry/contracts';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { buildNodeStatusRequest, netbiosPlugin, parseNodeStatus } from './index.js';

const load = (name: string): Buffer =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', name));
const ID = 0x4242;

describe('buildNodeStatusRequest', () => {
  it('is byte-identical to the recorded NBSTAT query for *', () => {
    expect(buildNodeStatusRequest(ID).equals(load('request-nbstat-star.bin'))).toBe(true);
  });
});

describe('parseNodeStatus on recorded and constructed answers', () => {
  it('decodes nmbd 4.17 (samba reports a zero MAC)', () => {
    const r = parseNodeStatus(load('response-nmbd-lab44nb.bin'), ID);
    expect(r).toEqual({
      ok: true,
      data: {
        names: [
          { name: 'LAB44NB', suffix: '<00>', type: 'unique', flags: ['active', 'b-node'] },
          { name: 'LAB44NB', suffix: '<03>', type: 'unique', flags: ['active', 'b-node'] },
          { name: 'LAB44NB', suffix: '<20>', type: 'unique', flags: ['active', 'b-node'] },
          { name: 'LABGRP44', suffix: '<00>', type: 'group', flags: ['active', 'b-node'] },
          { name: 'LABGRP44', suffix: '<1E>', type: 'group', flags: ['active', 'b-node'] },
        ],
        mac: '00-00-00-00-00-00',
      },
    });
  });

  it('decodes a Windows-layout answer (constructed per RFC 1002): MAC, <1C>/<1B>, __MSBROWSE__', () => {
    const r = parseNodeStatus(load('response-windows-constructed.bin'), ID);
    if (!r.ok) throw new Error(r.error);
    expect(r.data.mac).toBe('00-15-5d-01-02-03');
    expect(r.data.names.map((n) => `${n.name}${n.suffix}:${n.type}`)).toEqual([
      'WIN-FQ01<00>:unique',
      'FLEETLAB<00>:group',
      'WIN-FQ01<20>:unique',
      'FLEETLAB<1C>:group',
      'FLEETLAB<1B>:unique',
      '__MSBROWSE__<01>:group',
    ]);
  });

  it.each([
    ['malformed-truncated.bin', /do not fit|exceeds/],
    ['malformed-short.bin', /shorter than a header/],
    ['malformed-wrong-id.bin', /transaction id/],
    ['malformed-request-not-response.bin', /request/],
    ['malformed-huge-count.bin', /255 names do not fit/],
    ['malformed-rdlength-overflow.bin', /RDLENGTH 65535/],
    ['malformed-not-nbstat.bin', /not NBSTAT/],
    ['malformed-label-type.bin', /label type/],
  ])('%s → error', (name, why) => {
    const r = parseNodeStatus(load(name), ID);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('tells a negative response apart', () => {
    expect(parseNodeStatus(load('negative-response-rcode3.bin'), ID)).toMatchObject({
      ok: false,
      negative: true,
    });
  });
});

/** In-process responder on 127.44.0.20: answers with `reply(request)` (or not at all). */
async function responder(
  reply: (req: Buffer) => Buffer | undefined,
): Promise<{ port: number; close(): Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const out = reply(msg);
    if (out) sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.44.0.20', () => r()));
  return { port: sock.address().port, close: () => new Promise((r) => sock.close(() => r())) };
}

function withId(recorded: Buffer, req: Buffer): Buffer {
  const b = Buffer.from(recorded);
  req.copy(b, 0, 0, 2);
  return b;
}

const ctx = (port: number, timeoutMs = 400): ProtocolContext => ({
  host: 'fake',
  address: '127.44.0.20',
  port,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

describe('netbiosPlugin.query against an in-process responder', () => {
  it('reports names and MAC (success, answered)', async () => {
    const r0 = await responder((req) => withId(load('response-windows-constructed.bin'), req));
    try {
      const r = await netbiosPlugin.query(ctx(r0.port));
      expect(r).toMatchObject({ status: 'success', answered: true, evidence: 'WIN-FQ01<00> UNIQUE' });
      expect(r.data?.netbios?.names).toHaveLength(6);
    } finally {
      await r0.close();
    }
  });

  it('maps garbage with our id to protocol-error, a negative answer to application-error', async () => {
    const g = await responder((req) => Buffer.concat([req.subarray(0, 2), Buffer.from('garbage')]));
    const n = await responder((req) => withId(load('negative-response-rcode3.bin'), req));
    try {
      expect(await netbiosPlugin.query(ctx(g.port))).toMatchObject({
        status: 'protocol-error',
        answered: true,
      });
      expect(await netbiosPlugin.query(ctx(n.port))).toMatchObject({
        status: 'application-error',
        answered: true,
      });
    } finally {
      await g.close();
      await n.close();
    }
  });

  it('silence → io-timeout; a foreign id only → protocol-error (something answered)', async () => {
    const s = await responder(() => undefined);
    const f = await responder(() => load('malformed-wrong-id.bin'));
    try {
      expect(await netbiosPlugin.query(ctx(s.port, 300))).toMatchObject({
        status: 'io-timeout',
        answered: false,
      });
      expect(await netbiosPlugin.query(ctx(f.port, 300))).toMatchObject({
        status: 'protocol-error',
        answered: true,
      });
    } finally {
      await s.close();
      await f.close();
    }
  });

  it('maps ICMP port unreachable to connection-refused', async () => {
    const c = await responder(() => undefined);
    const port = c.port;
    await c.close();
    expect(await netbiosPlugin.query(ctx(port, 2000))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });
});

describe('netbiosPlugin.describe', () => {
  it('prints an nbtstat-like name table and the MAC', () => {
    const r = parseNodeStatus(load('response-nmbd-lab44nb.bin'), ID);
    if (!r.ok) throw new Error(r.error);
    const obs: Observation = {
      host: 'h',
      address: '127.44.0.1',
      proto: 'udp',
      port: 137,
      state: 'LISTENING',
      reason: 'protocol-response',
      observedAt: new Date(0).toISOString(),
      netbios: r.data,
    };
    expect(netbiosPlugin.describe(obs)).toEqual([
      'NetBIOS node status (NBSTAT) response:',
      '    LAB44NB         <00>  UNIQUE  active b-node',
      '    LAB44NB         <03>  UNIQUE  active b-node',
      '    LAB44NB         <20>  UNIQUE  active b-node',
      '    LABGRP44        <00>  GROUP   active b-node',
      '    LABGRP44        <1E>  GROUP   active b-node',
      'MAC address: 00-00-00-00-00-00',
    ]);
  });
});
