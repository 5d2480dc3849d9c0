import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { buildReadRequest, parseReply, tftpPlugin } from './index.js';

const load = (name: string): Buffer =>
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', name));

describe('TFTP packets', () => {
  it('builds the recorded read request', () => {
    expect(buildReadRequest('fleetqry-probe-0123456789ab').equals(load('request-rrq.bin'))).toBe(true);
    const rrq = buildReadRequest();
    expect([...rrq.subarray(0, 2)]).toEqual([0, 1]);
    expect(rrq.subarray(2).toString('latin1')).toMatch(/^fleetqry-probe-[0-9a-f]{12}.octet.$/s);
  });

  it('parses recorded tftpd-hpa answers', () => {
    expect(parseReply(load('error-file-not-found-tftpd-hpa.bin'))).toEqual({
      ok: true,
      reply: { kind: 'error', code: 1, codeName: 'file not found', message: 'File not found' },
    });
    expect(parseReply(load('data-block1-tftpd-hpa.bin'))).toEqual({
      ok: true,
      reply: { kind: 'data', block: 1, bytes: 6 },
    });
    expect(parseReply(load('error-unterminated-constructed.bin'))).toMatchObject({
      ok: true,
      reply: { code: 2, message: 'Access  [2J violation' },
    });
  });

  it.each([
    ['malformed-short.bin', /shorter/],
    ['malformed-opcode-ack.bin', /opcode 4/],
    ['malformed-oversize-data.bin', /exceeds 512/],
  ])('%s → error', (name, why) => {
    const r = parseReply(load(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });
});

/** A fake server on 127.44.0.23 that answers, like a real one, from a fresh port (its transfer id). */
async function fakeServer(opts: { answer: Buffer; fromAddress?: string; samePort?: boolean }) {
  const listen = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  const tids: dgram.Socket[] = [];
  listen.on('message', (msg, rinfo) => {
    if (opts.samePort) return void listen.send(opts.answer, rinfo.port, rinfo.address);
    const tid = dgram.createSocket('udp4');
    tids.push(tid);
    tid.on('message', (m) => got.push(m));
    tid.bind(0, opts.fromAddress ?? '127.44.0.23', () => tid.send(opts.answer, rinfo.port, rinfo.address));
  });
  await new Promise<void>((r) => listen.bind(0, '127.44.0.23', () => r()));
  return {
    port: listen.address().port,
    got,
    close: async () => {
      for (const t of tids) await new Promise<void>((r) => t.close(() => r()));
      await new Promise<void>((r) => listen.close(() => r()));
    },
  };
}
const ctx = (port: number, timeoutMs = 400): ProtocolContext => ({
  host: 'fake',
  address: '127.44.0.23',
  port,
  proto: 'udp',
  timeoutMs,
  signal: new AbortController().signal,
  options: DEFAULT_COMMON_OPTIONS,
});

describe('tftpPlugin.query against in-process fakes', () => {
  it('accepts an ERROR from the server’s transfer-id port', async () => {
    const f = await fakeServer({ answer: load('error-file-not-found-tftpd-hpa.bin') });
    try {
      expect(await tftpPlugin.query(ctx(f.port))).toMatchObject({
        status: 'success',
        answered: true,
        evidence: 'TFTP ERROR 1 (file not found): File not found',
      });
    } finally {
      await f.close();
    }
  });

  it('aborts a transfer the server started (DATA) with an ERROR packet', async () => {
    const f = await fakeServer({ answer: load('data-block1-tftpd-hpa.bin') });
    try {
      expect(await tftpPlugin.query(ctx(f.port))).toMatchObject({ status: 'success', answered: true });
      await new Promise((r) => setTimeout(r, 50));
      expect(f.got.map((b) => b.readUInt16BE(0))).toEqual([5]);
    } finally {
      await f.close();
    }
  });

  it('also accepts an answer from the well-known port, and garbage as protocol-error', async () => {
    const same = await fakeServer({ answer: load('error-file-not-found-tftpd-hpa.bin'), samePort: true });
    const junk = await fakeServer({ answer: load('malformed-opcode-ack.bin') });
    try {
      expect(await tftpPlugin.query(ctx(same.port))).toMatchObject({ status: 'success' });
      expect(await tftpPlugin.query(ctx(junk.port))).toMatchObject({
        status: 'protocol-error',
        answered: true,
      });
    } finally {
      await same.close();
      await junk.close();
    }
  });

  it('ignores datagrams from other addresses (io-timeout), maps ICMP to connection-refused', async () => {
    const other = await fakeServer({
      answer: load('error-file-not-found-tftpd-hpa.bin'),
      fromAddress: '127.44.0.24',
    });
    const gone = await fakeServer({ answer: Buffer.alloc(0) });
    await gone.close();
    try {
      expect(await tftpPlugin.query(ctx(other.port, 300))).toMatchObject({
        status: 'io-timeout',
        answered: false,
      });
      expect(await tftpPlugin.query(ctx(gone.port, 2000))).toMatchObject({
        status: 'connection-refused',
        answered: false,
      });
    } finally {
      await other.close();
    }
  });
});
