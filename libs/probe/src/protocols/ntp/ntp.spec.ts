import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Observation } from '@fleetqry/contracts';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { answersRequest, buildClientRequest, cookieOf, ntpPlugin, ntpTime, parseReply } from './index.js';

const load = (name: string): Buffer =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', name));
const REQUEST = load('request-v4-client.bin');

describe('NTP packets', () => {
  it('builds a v4 client request carrying only the cookie', () => {
    expect(buildClientRequest(cookieOf(REQUEST)).equals(REQUEST)).toBe(true);
    expect(REQUEST.subarray(0, 40).equals(Buffer.from([0x23, ...new Array<number>(39).fill(0)]))).toBe(true);
  });

  it('decodes the recorded chrony reply', () => {
    const r = parseReply(load('response-chrony-local-stratum8.bin'));
    expect(r).toMatchObject({
      ok: true,
      data: {
        version: 4,
        mode: 4,
        leap: 'none',
        stratum: 8,
        refId: '127.127.1.1',
        precision: -25,
        poll: 0,
        rootDelay: 0,
        rootDispersion: 0,
      },
    });
    if (r.ok) expect(r.data.referenceTime).toMatch(/^2026-11-26T/);
  });

  it('decodes a stratum 1 reference and a kiss-of-death (constructed per RFC 5905)', () => {
    expect(parseReply(load('response-stratum1-gps-constructed.bin'))).toMatchObject({
      ok: true,
      data: { stratum: 1, refId: 'GPS', precision: -20, rootDispersion: 10 / 65536 },
    });
    expect(parseReply(load('kod-rate-constructed.bin'))).toMatchObject({
      ok: true,
      data: { stratum: 0, leap: 'unsynchronized', kissCode: 'RATE', refId: 'RATE' },
    });
  });

  it('matches answers by the echoed cookie', () => {
    expect(answersRequest(load('response-chrony-local-stratum8.bin'), REQUEST)).toBe(true);
    expect(answersRequest(load('malformed-wrong-origin.bin'), REQUEST)).toBe(false);
    expect(answersRequest(load('malformed-truncated.bin'), REQUEST)).toBe(true); // the parser refuses it
  });

  it.each([
    ['malformed-truncated.bin', /shorter/],
    ['malformed-mode3-echo.bin', /mode 3/],
  ])('%s → error', (name, why) => {
    const r = parseReply(load(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('reads timestamps across the 2036 era boundary', () => {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(0x8000_0000, 0);
    expect(ntpTime(b, 0)).toBe('1968-01-20T03:14:08.000Z');
    b.writeUInt32BE(0x0000_0001, 0);
    expect(ntpTime(b, 0)).toBe('2036-02-07T06:28:17.000Z');
    expect(ntpTime(Buffer.alloc(8), 0)).toBeUndefined();
  });
});

async function responder(reply: (req: Buffer) => Buffer | undefined) {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const out = reply(msg);
    if (out) sock.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.44.0.22', () => r()));
  return { port: sock.address().port, close: () => new Promise<void>((r) => sock.close(() => r())) };
}
/** Echo the request's cookie into a recorded reply's origin timestamp. */
const echo = (recorded: Buffer) => (req: Buffer) => {
  const b = Buffer.from(recorded);
  cookieOf(req).copy(b, 24);
  return b;
};
const ctx = (port: number, timeoutMs = 400): ProtocolContext => ({
  host: 'fake',
  address: '127.44.0.22',
  port,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

describe('ntpPlugin.query against in-process responders', () => {
  it('success with the server data', async () => {
    const f = await responder(echo(load('response-chrony-local-stratum8.bin')));
    try {
      const r = await ntpPlugin.query(ctx(f.port));
      expect(r).toMatchObject({
        status: 'success',
        answered: true,
        evidence: 'NTPv4 stratum 8 refid 127.127.1.1',
        data: { ntp: { stratum: 8 } },
      });
    } finally {
      await f.close();
    }
  });

  it('a kiss-of-death is an answer (application-error); a stale cookie only is protocol-error', async () => {
    const kod = await responder(echo(load('kod-rate-constructed.bin')));
    const stale = await responder(() => load('malformed-wrong-origin.bin'));
    try {
      expect(await ntpPlugin.query(ctx(kod.port))).toMatchObject({
        status: 'application-error',
        answered: true,
        detail: 'NTP kiss-of-death RATE',
      });
      expect(await ntpPlugin.query(ctx(stale.port, 300))).toMatchObject({
        status: 'protocol-error',
        answered: true,
      });
    } finally {
      await kod.close();
      await stale.close();
    }
  });

  it('silence → io-timeout, ICMP → connection-refused', async () => {
    const mute = await responder(() => undefined);
    const gone = await responder(() => undefined);
    await gone.close();
    try {
      expect(await ntpPlugin.query(ctx(mute.port, 300))).toMatchObject({
        status: 'io-timeout',
        answered: false,
      });
      expect(await ntpPlugin.query(ctx(gone.port, 2000))).toMatchObject({ status: 'connection-refused' });
    } finally {
      await mute.close();
    }
  });
});

describe('ntpPlugin.describe', () => {
  it('prints ntpq-like lines', () => {
    const r = parseReply(load('response-stratum1-gps-constructed.bin'));
    if (!r.ok) throw new Error(r.error);
    const obs: Observation = {
      host: 'h',
      address: '127.44.0.22',
      proto: 'udp',
      port: 123,
      state: 'LISTENING',
      reason: 'protocol-response',
      observedAt: new Date(0).toISOString(),
      ntp: r.data,
    };
    expect(ntpPlugin.describe(obs)).toEqual([
      'NTP response: version 4, mode 4, leap none',
      'stratum: 1',
      'reference id: GPS',
      'precision: 2^-20, poll: 2^6',
      'root delay: 0.000000 s, root dispersion: 0.000153 s',
      'reference time: 2026-11-26T03:02:45.000Z',
      'server time: 2026-11-26T03:02:47.500Z',
    ]);
  });
});
