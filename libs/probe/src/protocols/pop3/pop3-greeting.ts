import type { ProbeStatus } from '@fleetqry/contracts';

import { bannerText } from '../common/greeting-query.js';
import { singleLineFramer } from '../common/framing.js';

/** POP3 status line (RFC 1939 §3): `+OK …` or `-ERR …`, one CRLF-terminated line. */
export const pop3StatusFramer = singleLineFramer(['+OK', '-ERR'], 'POP3 status line');

export interface Pop3Greeting {
  ok: boolean;
  status: ProbeStatus;
  banner: string;
  /** The APOP timestamp (`<…@…>`) when the server offers APOP. */
  apopTimestamp?: string;
  detail?: string;
}

export function parsePop3Greeting(frame: Buffer): Pop3Greeting {
  const banner = bannerText(frame);
  const ok = frame.subarray(0, 3).toString('latin1') === '+OK';
  const apop = /<[\x21-\x7e]+@[\x21-\x7e]+>/.exec(banner)?.[0];
  return {
    ok,
    status: ok ? 'success' : 'application-error',
    banner,
    ...(apop ? { apopTimestamp: apop } : {}),
    ...(ok ? {} : { detail: 'server refuses service (-ERR)' }),
  };
}
