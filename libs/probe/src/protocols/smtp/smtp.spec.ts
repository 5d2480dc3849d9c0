import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Observation } from '@fleetqry/contracts';

import { parseSmtpGreeting, smtpPlugin, smtpReplyFramer } from './index.js';

const td = (name: string): Buffer =>
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', name));

function greeting(name: string): Buffer {
  const bytes = td(name);
  const f = smtpReplyFramer(bytes);
  if (f.kind !== 'complete') throw new Error(`${name}: ${f.kind}`);
  return bytes.subarray(0, f.length);
}

describe('SMTP greeting on recorded bytes', () => {
  it('OpenSMTPD 6.8 (recorded): frame ends after the 220 line, before the EHLO reply', () => {
    const g = parseSmtpGreeting(greeting('opensmtpd-6.8-ehlo-quit.bin'));
    expect(g).toMatchObject({
      code: 220,
      status: 'success',
      banner: '220 lab.fleetqry.test ESMTP OpenSMTPD',
    });
  });

  it('the EHLO reply that follows is one multi-line frame', () => {
    const bytes = td('opensmtpd-6.8-ehlo-quit.bin');
    const first = smtpReplyFramer(bytes);
    if (first.kind !== 'complete') throw new Error('greeting');
    const rest = bytes.subarray(first.length);
    const ehlo = smtpReplyFramer(rest);
    expect(ehlo.kind).toBe('complete');
    if (ehlo.kind === 'complete') expect(rest.subarray(0, ehlo.length).toString()).toMatch(/250 HELP\r\n$/);
  });

  it('multi-line greeting keeps every line', () => {
    const g = parseSmtpGreeting(greeting('multiline-greeting.bin'));
    expect(g.banner.split('\n')).toEqual([
      '220-mx.example.test ESMTP ready',
      '220-No UCE',
      '220 mx.example.test',
    ]);
  });

  it('554 greeting → application-error with the text', () => {
    expect(parseSmtpGreeting(greeting('refused-554.bin'))).toMatchObject({
      code: 554,
      status: 'application-error',
    });
  });

  it('bare LF line endings are accepted', () => {
    expect(parseSmtpGreeting(greeting('bare-lf.bin')).status).toBe('success');
  });

  it('truncated mid-line → more (the reader then ends at its cap or deadline)', () => {
    expect(smtpReplyFramer(td('truncated-midline.bin')).kind).toBe('more');
  });

  it('a continuation line without a code is not SMTP', () => {
    expect(smtpReplyFramer(td('malformed-continuation.bin')).kind).toBe('invalid');
  });

  it('binary garbage is rejected from the first bytes', () => {
    expect(smtpReplyFramer(Buffer.from([0x00, 0xff, 0x13])).kind).toBe('invalid');
    expect(smtpReplyFramer(Buffer.from('22')).kind).toBe('more');
  });

  it('every prefix of a recorded greeting is "more", never invalid', () => {
    const bytes = greeting('multiline-greeting.bin');
    for (let i = 1; i < bytes.length; i++) expect(smtpReplyFramer(bytes.subarray(0, i)).kind).toBe('more');
  });
});

describe('smtpPlugin.describe', () => {
  it('prints the banner PortQry-style', () => {
    const obs = { banner: '220-a\n220 b', protocol: { name: 'smtp', status: 'success', durationMs: 1 } };
    expect(smtpPlugin.describe(obs as Observation)).toEqual(['Data returned from port:', '220-a', '220 b']);
  });

  it('adds the query problem when not successful', () => {
    const obs = {
      protocol: { name: 'smtp', status: 'io-timeout', detail: 'SMTP: nothing received', durationMs: 1 },
    };
    expect(smtpPlugin.describe(obs as Observation)).toEqual(['SMTP query: io-timeout (nothing received)']);
  });
});
