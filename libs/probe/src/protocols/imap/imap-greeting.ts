import type { ProbeStatus } from '@fleetqry/contracts';

import { bannerText } from '../common/greeting-query.js';
import { complete, type Framer, invalid, MORE } from '../common/framing.js';

const GREETING_WORDS = ['OK', 'PREAUTH', 'BYE'] as const;
type ImapGreetingWord = (typeof GREETING_WORDS)[number];

const LITERAL_AT_END = /\{(\d{1,10})\+?\}$/;

function greetingWord(firstLine: string): ImapGreetingWord | undefined {
  const word = /^\* ([A-Za-z]+)(?: |$)/.exec(firstLine)?.[1]?.toUpperCase();
  return GREETING_WORDS.find((w) => w === word);
}

/**
 * IMAP greeting (RFC 9051 §7.1): one untagged `* OK`, `* PREAUTH` or `* BYE` response. The line may
 * carry literals (`{n}` CRLF, then n bytes, then the rest of the line), which this framer follows.
 */
export const imapGreetingFramer: Framer = (buf) => {
  const star = Buffer.from('* ', 'latin1');
  const n = Math.min(star.length, buf.length);
  if (!buf.subarray(0, n).equals(star.subarray(0, n)))
    return invalid('IMAP greeting does not start with "* "');
  const firstSpace = buf.indexOf(0x20, 2);
  const firstLf = buf.indexOf(0x0a);
  const wordEnd = [firstSpace, firstLf].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), Infinity);
  if (Number.isFinite(wordEnd)) {
    const head = buf.subarray(0, wordEnd).toString('latin1').replace(/\r$/, '');
    if (!greetingWord(head)) return invalid('IMAP greeting is not * OK, * PREAUTH or * BYE');
  }
  let pos = 0;
  // Each pass moves `pos` forward past a literal, so this ends within buf.length passes.
  while (pos <= buf.length) {
    const lf = buf.indexOf(0x0a, pos);
    if (lf < 0) return MORE;
    const textEnd = lf > pos && buf[lf - 1] === 0x0d ? lf - 1 : lf;
    const literal = LITERAL_AT_END.exec(buf.subarray(pos, textEnd).toString('latin1'));
    if (!literal) return complete(lf + 1);
    pos = lf + 1 + Number(literal[1]);
    if (pos > buf.length) return MORE;
  }
  return MORE;
};

export interface ImapGreeting {
  word: ImapGreetingWord;
  status: ProbeStatus;
  banner: string;
  /** Capabilities announced in a `[CAPABILITY …]` response code, if any. */
  capabilities?: string[];
  detail?: string;
}

export function parseImapGreeting(frame: Buffer): ImapGreeting {
  const banner = bannerText(frame);
  const text = frame.toString('latin1');
  const word = greetingWord(text.split(/\r?\n/, 1)[0] ?? '') ?? 'BYE';
  const caps = /^\* [A-Za-z]+ \[CAPABILITY ([^\]\r\n]*)\]/i.exec(text)?.[1];
  const base = { word, banner, ...(caps ? { capabilities: caps.split(' ').filter(Boolean) } : {}) };
  if (word === 'BYE')
    return { ...base, status: 'application-error', detail: 'server refuses service (* BYE)' };
  return {
    ...base,
    status: 'success',
    ...(word === 'PREAUTH' ? { detail: 'connection is pre-authenticated' } : {}),
  };
}
