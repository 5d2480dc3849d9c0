import type { ProbeStatus } from '@fleetqry/contracts';

import { bannerText } from '../common/greeting-query.js';
import { completeLines, replyCodeOf, replyFramer } from '../common/framing.js';

/** SMTP replies (RFC 5321 §4.2): `220-…` continuation lines, then `220 …`; every line carries the code. */
export const smtpReplyFramer = replyFramer('smtp');

export interface SmtpGreeting {
  code: number;
  status: ProbeStatus;
  /** Printable banner, one line per reply line (codes included, as PortQry prints them). */
  banner: string;
  detail?: string;
}

/** Interprets a complete greeting (as framed by `smtpReplyFramer`). */
export function parseSmtpGreeting(frame: Buffer): SmtpGreeting {
  const first = completeLines(frame).next();
  const code = first.done ? undefined : replyCodeOf(first.value.text);
  const banner = bannerText(frame);
  if (code === 220) return { code, status: 'success', banner };
  if (code === undefined) return { code: 0, status: 'protocol-error', banner, detail: 'no reply code' };
  if (code === 421 || code === 554 || (code >= 400 && code < 600)) {
    return { code, status: 'application-error', banner, detail: `server refuses service (${code})` };
  }
  return { code, status: 'protocol-error', banner, detail: `unexpected greeting code ${code}` };
}
