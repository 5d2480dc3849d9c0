/** Test helper: recorded transcripts from testdata/ and a PDU splitter. Used by specs only. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { pduFramer } from './pdu.js';

const DIR = join(new URL('.', import.meta.url).pathname, 'testdata');

export function testdata(name: string): Buffer {
  return readFileSync(join(DIR, name));
}

/** Splits a byte stream into whole PDUs (stops at the first incomplete or invalid one). */
export function splitPdus(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let rest = stream;
  for (let i = 0; i < 10_000 && rest.length > 0; i++) {
    const f = pduFramer(rest);
    if (f.kind !== 'complete') break;
    out.push(rest.subarray(0, f.length));
    rest = rest.subarray(f.length);
  }
  return out;
}
