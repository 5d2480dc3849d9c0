import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parsePop3Greeting, pop3StatusFramer } from './index.js';

const td = (name: string): Buffer =>
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', name));

function greeting(name: string): Buffer {
  const bytes = td(name);
  const f = pop3StatusFramer(bytes);
  if (f.kind !== 'complete') throw new Error(`${name}: ${f.kind}`);
  return bytes.subarray(0, f.length);
}

describe('POP3 greeting on recorded bytes', () => {
  it('Dovecot 2.3 (recorded): +OK greeting, then the QUIT reply as the next frame', () => {
    const bytes = td('dovecot-2.3-quit.bin');
    const g = parsePop3Greeting(greeting('dovecot-2.3-quit.bin'));
    expect(g).toMatchObject({ ok: true, status: 'success', banner: '+OK Dovecot (Debian) ready.' });
    const first = pop3StatusFramer(bytes);
    if (first.kind !== 'complete') throw new Error('greeting');
    expect(pop3StatusFramer(bytes.subarray(first.length)).kind).toBe('complete');
  });

  it('APOP timestamp is reported', () => {
    expect(parsePop3Greeting(greeting('apop-greeting.bin')).apopTimestamp).toBe(
      '<1896.697170952@dbc.mtview.ca.us>',
    );
  });

  it('-ERR greeting → application-error', () => {
    expect(parsePop3Greeting(greeting('err-greeting.bin'))).toMatchObject({
      ok: false,
      status: 'application-error',
    });
  });

  it('truncated → more; not +OK/-ERR → invalid at once', () => {
    expect(pop3StatusFramer(td('truncated.bin')).kind).toBe('more');
    expect(pop3StatusFramer(td('malformed.bin')).kind).toBe('invalid');
    expect(pop3StatusFramer(Buffer.from('+')).kind).toBe('more');
    expect(pop3StatusFramer(Buffer.from('-E')).kind).toBe('more');
  });
});
