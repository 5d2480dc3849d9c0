import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Observation } from '@fleetqry/contracts';

import type { Framer } from '../common/framing.js';
import { anonymousOutcome, ftpPlugin, ftpReplyFramer, greetingStatus, parseFtpReply } from './index.js';

const td = (name: string): Buffer =>
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', name));

/** Splits a recorded server stream into its framed replies. */
function frames(bytes: Buffer, framer: Framer): Buffer[] {
  const out: Buffer[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const f = framer(rest);
    if (f.kind !== 'complete') break;
    out.push(rest.subarray(0, f.length));
    rest = rest.subarray(f.length);
  }
  return out;
}

describe('FTP replies on recorded bytes', () => {
  it('vsftpd 3.0.3, anonymous allowed (recorded): 220, 331, 230, 221', () => {
    const replies = frames(td('vsftpd-3.0.3-anonymous-allowed.bin'), ftpReplyFramer).map(parseFtpReply);
    expect(replies.map((r) => r.code)).toEqual([220, 331, 230, 221]);
    expect(replies[0]!.text).toBe('220 (vsFTPd 3.0.3)');
    expect(anonymousOutcome(replies[1]!.code, replies[2]!.code)).toBe(true);
  });

  it('vsftpd 3.0.3, anonymous denied (recorded): 331 then 530', () => {
    const replies = frames(td('vsftpd-3.0.3-anonymous-denied.bin'), ftpReplyFramer).map(parseFtpReply);
    expect(replies.map((r) => r.code)).toEqual([220, 331, 530, 221]);
    expect(anonymousOutcome(replies[1]!.code)).toBeUndefined();
    expect(anonymousOutcome(replies[1]!.code, replies[2]!.code)).toBe(false);
    expect(replies[2]!.firstLine).toBe('530 Login incorrect.');
  });

  it('multi-line greeting with free-text lines ends at "220 "', () => {
    const [g] = frames(td('multiline-greeting.bin'), ftpReplyFramer);
    expect(parseFtpReply(g!).text.split('\n')).toHaveLength(4);
  });

  it('120 then 220: two replies, the first asks to wait', () => {
    const replies = frames(td('wait-120-then-220.bin'), ftpReplyFramer).map(parseFtpReply);
    expect(replies.map((r) => greetingStatus(r.code))).toEqual(['wait', { status: 'success' }]);
  });

  it('421 → application-error; truncated → more; not a reply → invalid', () => {
    const [g] = frames(td('refused-421.bin'), ftpReplyFramer);
    expect(greetingStatus(parseFtpReply(g!).code)).toMatchObject({ status: 'application-error' });
    expect(ftpReplyFramer(td('truncated.bin')).kind).toBe('more');
    expect(ftpReplyFramer(td('malformed.bin')).kind).toBe('invalid');
  });

  it('USER answered 230 directly is allowed; 530 to USER is denied', () => {
    expect(anonymousOutcome(230)).toBe(true);
    expect(anonymousOutcome(530)).toBe(false);
    expect(anonymousOutcome(331, 530)).toBe(false);
  });
});

describe('ftpPlugin.describe', () => {
  it('prints the banner and the anonymous logon outcome', () => {
    const obs = {
      banner: '220 (vsFTPd 3.0.3)',
      ftp: { anonymousLogin: true, loginReply: '230 Login successful.' },
      protocol: { name: 'ftp', status: 'success', durationMs: 3 },
    };
    expect(ftpPlugin.describe(obs as Observation)).toEqual([
      'Data returned from port:',
      '220 (vsFTPd 3.0.3)',
      'Anonymous logon: allowed (230 Login successful.)',
    ]);
  });
});
