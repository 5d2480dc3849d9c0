import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { buildIkev1MainMode, buildIkev2SaInit, isakmpPlugin, parseIkeReply } from './index.js';

const load = (name: string): Buffer =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', name));

describe('IKE proposals', () => {
  it('builds the recorded IKEv1 Main Mode proposal', () => {
    expect(
      buildIkev1MainMode(Buffer.from('1111111111111111', 'hex')).equals(load('request-ikev1-main-mode.bin')),
    ).toBe(true);
  });
  it('builds a well-formed IKE_SA_INIT (SA, KE, NONCE) that parses back', () => {
    const p = buildIkev2SaInit(Buffer.alloc(8, 0x42));
    expect(p.length).toBe(load('request-ikev2-sa-init.bin').length);
    expect(parseIkeReply(p)).toMatchObject({
      ok: true,
      reply: { version: 'IKEv2', payloads: ['SA', 'KE', 'NONCE'] },
    });
  });
});

describe('parseIkeReply', () => {
  it.each([
    ['ikev2-no-proposal-charon.bin', 'IKEv2 IKE_SA_INIT response, payloads N, notify NO_PROPOSAL_CHOSEN'],
    ['ikev1-no-proposal-charon.bin', 'IKEv1 Informational response, payloads N, notify NO_PROPOSAL_CHOSEN'],
    ['ikev1-sa-accepted-constructed.bin', 'IKEv1 Main Mode response, payloads SA,VID,VID, 2 vendor id(s)'],
    ['ikev2-cookie-constructed.bin', 'IKEv2 IKE_SA_INIT response, payloads N, notify COOKIE'],
    ['ikev2-invalid-ke-constructed.bin', 'IKEv2 IKE_SA_INIT response, payloads N, notify INVALID_KE_PAYLOAD'],
  ])('%s', async (name, text) => {
    const { summary } = await import('./index.js');
    const r = parseIkeReply(load(name));
    if (!r.ok) throw new Error(r.error);
    expect(summary(r.reply)).toBe(text);
  });

  it.each([
    ['malformed-truncated.bin', /length 36 does not fit the 30-byte/],
    ['malformed-payload-length.bin', /payload length/],
    ['malformed-version3.bin', /major version 3/],
    ['malformed-length-overflow.bin', /does not fit/],
    ['malformed-payload-flood.bin', /more than 64 payloads/],
  ])('%s → error', (name, why) => {
    const r = parseIkeReply(load(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });
});

/** A fake responder on 127.44.0.26 answering one IKE version with a recorded reply (SPI rewritten). */
async function fakeResponder(version: 1 | 2 | 'garbage') {
  const sock = dgram.createSocket('udp4');
  const seen: Buffer[] = [];
  sock.on('message', (msg, rinfo) => {
    seen.push(msg);
    const major = msg[17]! >> 4;
    if (version === 'garbage') return void sock.send(Buffer.from('x'.repeat(40)), rinfo.port, rinfo.address);
    if (major !== version) return;
    const reply = Buffer.from(
      load(version === 2 ? 'ikev2-no-proposal-charon.bin' : 'ikev1-no-proposal-charon.bin'),
    );
    msg.copy(reply, 0, 0, 8);
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.44.0.26', () => r()));
  return { port: sock.address().port, seen, close: () => new Promise<void>((r) => sock.close(() => r())) };
}
const ctx = (port: number, timeoutMs = 400): ProtocolContext => ({
  host: 'fake',
  address: '127.44.0.26',
  port,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

describe('isakmpPlugin.query against fakes', () => {
  it('sends IKEv2 and IKEv1 in one burst; a v1-only responder is found', async () => {
    const f = await fakeResponder(1);
    try {
      const r = await isakmpPlugin.query(ctx(f.port));
      expect(f.seen.slice(0, 2).map((m) => m[17])).toEqual([0x20, 0x10]);
      expect(r).toMatchObject({
        status: 'success',
        answered: true,
        evidence: expect.stringMatching(/^IKEv1/),
      });
    } finally {
      await f.close();
    }
  });

  it('a v2 responder; a foreign SPI only → protocol-error', async () => {
    const v2 = await fakeResponder(2);
    const junk = await fakeResponder('garbage');
    try {
      expect(await isakmpPlugin.query(ctx(v2.port))).toMatchObject({ status: 'success', evidence: /^IKEv2/ });
      expect(await isakmpPlugin.query(ctx(junk.port, 300))).toMatchObject({
        status: 'protocol-error',
        answered: true,
      });
    } finally {
      await v2.close();
      await junk.close();
    }
  });
});
