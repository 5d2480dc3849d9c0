/** The CLDAP plugin against in-process UDP peers on 127.43.0.1 (replaying samba's answer, junk, silence). */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ObservationSchema } from '@fleetqry/contracts';

import { DEFAULT_COMMON_OPTIONS } from '../options.js';
import { type ProtocolContext } from '../plugin.js';
import { cldapPlugin } from './index.js';

const ADDR = '127.43.0.1';
const td = (name: string) => readFileSync(join(new URL('.', import.meta.url).pathname, 'testdata', name));
const RECORDED = td('response-rootdse-samba-dc.bin'); // message id 0x1234

/** Replaces a recorded answer's message id (2 bytes at offset 6) with the request's. */
function answerFor(request: Buffer, answer = RECORDED): Buffer {
  // the request starts 30 LL 02 NN <id>; the recording's id is 2 bytes (12 34) at offset 6
  const len = request[3]!;
  const id = request.subarray(4, 4 + len);
  return Buffer.concat([answer.subarray(0, 5), Buffer.from([id.length]), id, answer.subarray(8)]);
}

interface Peer {
  port: number;
  close(): Promise<void>;
}

async function peer(reply: (req: Buffer) => Buffer[] | undefined): Promise<Peer> {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, rinfo) => {
    for (const b of reply(m) ?? []) s.send(b, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, ADDR, r));
  return { port: s.address().port, close: () => new Promise((r) => s.close(() => r())) };
}

function ctx(port: number, timeoutMs = 600): ProtocolContext {
  return {
    host: ADDR,
    address: ADDR,
    port,
    proto: 'udp',
    timeoutMs,
    signal: new AbortController().signal,
    options: DEFAULT_COMMON_OPTIONS,
  };
}

/** Re-encodes the recorded answer's outer lengths for a new message id length (samba's id was 2 bytes). */
function fixLengths(b: Buffer): Buffer {
  // outer SEQUENCE uses the 3-byte form 30 82 HH LL; the first message ends before the 15-byte done
  const done = b.subarray(b.length - 15);
  const first = b.subarray(0, b.length - 15);
  const body = first.subarray(4);
  const hdr = Buffer.from([0x30, 0x82, body.length >> 8, body.length & 0xff]);
  const doneBody = done.subarray(2);
  // the done message's id must match too: rebuild it from the first message's id
  const idLen = first[5]!;
  const id = first.subarray(6, 6 + idLen);
  const doneOp = doneBody.subarray(2 + doneBody[1]!); // after 02 LL <id>
  const doneMsg = Buffer.concat([Buffer.from([0x02, id.length]), id, doneOp]);
  return Buffer.concat([hdr, body, Buffer.from([0x30, doneMsg.length]), doneMsg]);
}

describe('cldapPlugin', () => {
  const peers: Peer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.close();
  });

  it('an AD-style answer → success with the rootDSE in `ldap`, PortQry lines', async () => {
    const p = await peer((req) => [fixLengths(answerFor(req))]);
    peers.push(p);
    const r = await cldapPlugin.query(ctx(p.port));
    expect(r).toMatchObject({ status: 'success', answered: true });
    const dse = r.data!.ldap!.rootDSE;
    expect(dse.defaultNamingContext).toEqual(['DC=fq,DC=test']);
    expect(r.evidence).toMatch(/^namingContexts=DC=fq,DC=test;CN=Configuration,DC=fq,DC=test/);
    const obs = ObservationSchema.parse({
      host: ADDR,
      address: ADDR,
      proto: 'udp',
      port: 389,
      state: 'LISTENING',
      reason: 'protocol-response',
      observedAt: new Date().toISOString(),
      protocol: { name: 'cldap', status: 'success', durationMs: 1 },
      ...r.data,
    });
    const lines = cldapPlugin.describe(obs);
    expect(lines[0]).toBe('LDAP query response:');
    expect(lines).toContain('defaultNamingContext: DC=fq,DC=test');
    expect(lines.at(-1)).toBe('======== End of LDAP query response ========');
  });

  it('a SearchResultDone without an entry → application-error', async () => {
    // 30 0c 02 LL id 65 07 0a 01 20 04 00 04 00  (noSuchObject)
    const p = await peer((req) => {
      const len = req[3]!;
      const id = req.subarray(4, 4 + len);
      const op = Buffer.from('65070a01200400' + '0400', 'hex');
      const msg = Buffer.concat([Buffer.from([0x02, id.length]), id, op.subarray(0, 9)]);
      return [Buffer.concat([Buffer.from([0x30, msg.length]), msg])];
    });
    peers.push(p);
    expect(await cldapPlugin.query(ctx(p.port))).toMatchObject({
      status: 'application-error',
      answered: true,
      detail: expect.stringContaining('LDAP result 32'),
    });
  });

  it('junk → protocol-error (answered); a stale message id → protocol-error', async () => {
    const junk = await peer(() => [td('malformed-not-ldap.bin')]);
    const stale = await peer(() => [RECORDED]); // id 0x1234, never ours (ours is random, ≥ 1 … 2^31)
    peers.push(junk, stale);
    expect(await cldapPlugin.query(ctx(junk.port))).toMatchObject({
      status: 'protocol-error',
      answered: true,
    });
    const r = await cldapPlugin.query(ctx(stale.port));
    expect(r.answered).toBe(true);
    expect(r.status).toBe('protocol-error');
  });

  it('silence → io-timeout (FILTERED); ICMP unreachable → connection-refused (NOT LISTENING)', async () => {
    const silent = await peer(() => undefined);
    peers.push(silent);
    expect(await cldapPlugin.query(ctx(silent.port, 300))).toMatchObject({
      status: 'io-timeout',
      answered: false,
    });
    const closed = await peer(() => undefined);
    const port = closed.port;
    await closed.close();
    expect(await cldapPlugin.query(ctx(port, 600))).toMatchObject({
      status: 'connection-refused',
      answered: false,
    });
  });

  it('a flood of junk is bounded and still settles at the deadline', async () => {
    const flood = await peer(() => Array.from({ length: 200 }, () => td('malformed-truncated.bin')));
    peers.push(flood);
    const started = Date.now();
    expect(await cldapPlugin.query(ctx(flood.port, 400))).toMatchObject({ status: 'protocol-error' });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
