/**
 * Re-records this folder's samba transcripts (run by hand; not a test):
 *   npx tsx libs/probe/src/protocols/rpc/testdata/record.ts 127.30.0.10 135
 * Each file is exactly the bytes the server sent in answer to the request next to it.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

import { encodeLookupStub, EPT_LOOKUP_OPNUM, NULL_HANDLE } from '../epm.js';
import { HEADER_LENGTH } from '../pdu.js';
import { encodeBind, encodeRequest, EPM_INTERFACE, NDR_SYNTAX } from '../pdu.js';

const [address = '127.30.0.10', port = '135'] = process.argv.slice(2);
const dir = new URL('.', import.meta.url).pathname;

/** Sends `requests` one after the other, waiting `settleMs` for each answer; returns each answer's bytes. */
async function converse(
  requests: Array<Buffer | ((answers: Buffer[]) => Buffer)>,
  settleMs = 300,
): Promise<Buffer[]> {
  const s = net.connect({ host: address, port: Number(port) });
  await new Promise((r, j) => s.once('connect', r).once('error', j));
  const answers: Buffer[] = [];
  let current: Buffer[] = [];
  s.on('data', (c: Buffer) => current.push(c));
  for (const req of requests) {
    current = [];
    s.write(typeof req === 'function' ? req(answers) : req);
    await new Promise((r) => setTimeout(r, settleMs));
    answers.push(Buffer.concat(current));
  }
  s.destroy();
  return answers;
}

const bind = (maxFrag: number) =>
  encodeBind({ callId: 1, maxXmitFrag: maxFrag, maxRecvFrag: maxFrag, abstract: EPM_INTERFACE, transfer: NDR_SYNTAX });
const lookup = (callId: number, handle: Buffer, maxEnts: number) =>
  encodeRequest(callId, EPT_LOOKUP_OPNUM, encodeLookupStub(handle, maxEnts));
const save = (name: string, b: Buffer) => writeFileSync(join(dir, name), b);

// Whole map in one call, one fragment.
{
  const [ack, all] = await converse([bind(5840), lookup(2, NULL_HANDLE, 500)]);
  save('request-bind.bin', bind(5840));
  save('response-bind-ack-samba.bin', ack!);
  save('request-lookup-all.bin', lookup(2, NULL_HANDLE, 500));
  save('response-lookup-all-samba.bin', all!);
}
// Whole map in one call split into fragments (max_recv_frag 1024).
{
  const [, frags] = await converse([bind(1024), lookup(2, NULL_HANDLE, 500)]);
  save('response-lookup-all-fragmented-samba.bin', frags!);
}
// One entry per call: the first answer (non-null handle) and, on a fresh association, the map's end.
{
  const [, first] = await converse([bind(5840), lookup(2, NULL_HANDLE, 1)]);
  save('response-lookup-one-samba.bin', first!);
}
// Twenty entries per call: the first answer carries a context handle, the second ends the walk.
{
  /** The entry handle is the first 20 stub bytes of an unfragmented response (after its 8-byte body). */
  const handleOf = (answer: Buffer) => answer.subarray(HEADER_LENGTH + 8, HEADER_LENGTH + 28);
  const [, first, last] = await converse([
    bind(5840),
    lookup(2, NULL_HANDLE, 20),
    (answers) => lookup(3, handleOf(answers[1]!), 20),
  ]);
  save('response-lookup-20-first-samba.bin', first!);
  save('response-lookup-20-last-samba.bin', last!);
}
console.log('recorded from', address, port);
