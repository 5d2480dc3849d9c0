import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { buildSccrq, l2tpPlugin, parseControl } from './index.js';

const load = (name: string): Buffer =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', name));

describe('L2TP control messages', () => {
  it('builds the recorded SCCRQ', () => {
    expect(buildSccrq(0x4444).equals(load('request-sccrq.bin'))).toBe(true);
  });

  it('parses the SCCRP recorded from xl2tpd', () => {
    expect(parseControl(load('sccrp-xl2tpd.bin'))).toEqual({
      ok: true,
      reply: {
        tunnelId: 0x4444,
        messageType: 'SCCRP',
        protocolVersion: '1.0',
        hostName: 'lab44-lns',
        vendorName: 'xelerance.com',
        firmwareRevision: 0x0690,
        peerTunnelId: expect.any(Number),
      },
    });
  });

  it('parses StopCCN, a ZLB ack, and skips hidden AVPs (constructed per RFC 2661)', () => {
    expect(parseControl(load('stopccn-constructed.bin'))).toMatchObject({
      ok: true,
      reply: { messageType: 'StopCCN', resultCode: 2, peerTunnelId: 7 },
    });
    expect(parseControl(load('zlb-constructed.bin'))).toEqual({
      ok: true,
      reply: { tunnelId: 0x4444, messageType: 'ZLB' },
    });
    const hidden = parseControl(load('sccrp-hidden-avp-constructed.bin'));
    expect(hidden).toMatchObject({ ok: true, reply: { messageType: 'SCCRP', hostName: 'lns' } });
    if (hidden.ok) expect(hidden.reply.vendorName).toBeUndefined();
  });

  it.each([
    ['malformed-truncated.bin', /length 106 does not fit/],
    ['malformed-avp-length.bin', /AVP length 1023/],
    ['malformed-version3.bin', /version 3/],
    ['malformed-length-overflow.bin', /does not fit/],
  ])('%s → error', (name, why) => {
    const r = parseControl(load(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });
});

/** A fake LNS on 127.44.0.25 answering SCCRQ with the recorded SCCRP readdressed to the caller's tunnel. */
async function fakeLns(answer: 'sccrp' | 'garbage' | 'none') {
  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (msg, rinfo) => {
    got.push(msg);
    if (answer === 'none' || got.length > 1) return;
    const assigned = msg.readUInt16BE(msg.length - 2); // last AVP of our SCCRQ: Assigned Tunnel ID
    const reply = answer === 'garbage' ? Buffer.from('nope') : Buffer.from(load('sccrp-xl2tpd.bin'));
    if (answer === 'sccrp') reply.writeUInt16BE(assigned, 4);
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.44.0.25', () => r()));
  return { port: sock.address().port, got, close: () => new Promise<void>((r) => sock.close(() => r())) };
}
const ctx = (port: number, timeoutMs = 400): ProtocolContext => ({
  host: 'fake',
  address: '127.44.0.25',
  port,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

describe('l2tpPlugin.query against a fake LNS', () => {
  it('reports the SCCRP and closes the tunnel with StopCCN', async () => {
    const f = await fakeLns('sccrp');
    try {
      const r = await l2tpPlugin.query(ctx(f.port));
      expect(r).toMatchObject({
        status: 'success',
        answered: true,
        evidence: 'L2TP SCCRP, host name lab44-lns, vendor xelerance.com, firmware 0x0690',
      });
      await new Promise((res) => setTimeout(res, 50));
      const stop = parseControl(f.got[1]!);
      expect(stop).toMatchObject({ ok: true, reply: { messageType: 'StopCCN', resultCode: 1 } });
    } finally {
      await f.close();
    }
  });

  it('garbage → protocol-error (answered), silence → io-timeout', async () => {
    const g = await fakeLns('garbage');
    const n = await fakeLns('none');
    try {
      expect(await l2tpPlugin.query(ctx(g.port))).toMatchObject({ status: 'protocol-error', answered: true });
      expect(await l2tpPlugin.query(ctx(n.port, 300))).toMatchObject({
        status: 'io-timeout',
        answered: false,
      });
    } finally {
      await g.close();
      await n.close();
    }
  });
});
