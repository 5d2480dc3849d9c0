import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { imapGreetingFramer, parseImapGreeting } from './index.js';

const td = (name: string): Buffer =>
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', name));

function greeting(name: string): Buffer {
  const bytes = td(name);
  const f = imapGreetingFramer(bytes);
  if (f.kind !== 'complete') throw new Error(`${name}: ${f.kind}`);
  return bytes.subarray(0, f.length);
}

describe('IMAP greeting on recorded bytes', () => {
  it('Dovecot 2.3 (recorded): * OK with capabilities; the LOGOUT replies are not part of it', () => {
    const g = parseImapGreeting(greeting('dovecot-2.3-logout.bin'));
    expect(g.status).toBe('success');
    expect(g.word).toBe('OK');
    expect(g.banner).toBe(
      '* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot (Debian) ready.',
    );
    expect(g.capabilities).toContain('IMAP4rev1');
  });

  it('PREAUTH is success with a note; BYE is application-error', () => {
    expect(parseImapGreeting(greeting('preauth.bin'))).toMatchObject({ word: 'PREAUTH', status: 'success' });
    expect(parseImapGreeting(greeting('bye.bin'))).toMatchObject({
      word: 'BYE',
      status: 'application-error',
    });
  });

  it('follows a literal inside the greeting', () => {
    const frame = greeting('literal-greeting.bin');
    expect(frame.toString()).toBe('* OK [ALERT] {11}\r\nhello\r\nyou ready\r\n');
    expect(imapGreetingFramer(frame.subarray(0, frame.length - 3)).kind).toBe('more');
  });

  it('truncated → more; a tagged line or garbage → invalid', () => {
    expect(imapGreetingFramer(td('truncated.bin')).kind).toBe('more');
    expect(imapGreetingFramer(td('malformed-tagged.bin')).kind).toBe('invalid');
    expect(imapGreetingFramer(Buffer.from('* NO go away\r\n')).kind).toBe('invalid');
    expect(imapGreetingFramer(Buffer.from([0x00])).kind).toBe('invalid');
  });

  it('a huge literal count waits for bytes (the byte cap ends it)', () => {
    expect(imapGreetingFramer(Buffer.from('* OK {9999999999}\r\nabc')).kind).toBe('more');
  });
});
