import type { ProbeStatus } from '@fleetqry/contracts';

import { bannerText } from '../common/greeting-query.js';
import { completeLines, replyCodeOf, replyFramer } from '../common/framing.js';
import { toPrintable } from '../common/printable.js';

/**
 * FTP replies (RFC 959 §4.2): `ddd text` on one line, or `ddd-` first line, free text lines, and a
 * last line starting `ddd `.
 */
export const ftpReplyFramer = replyFramer('ftp');

/** Cap on the printable first line of a reply kept in results (`ftp.loginReply`). */
const MAX_REPLY_LINE_CHARS = 256;

export interface FtpReply {
  code: number;
  /** Printable first line (code included). */
  firstLine: string;
  /** Printable reply, line structure kept. */
  text: string;
}

/** Parses a complete reply (as framed by `ftpReplyFramer`). */
export function parseFtpReply(frame: Buffer): FtpReply {
  const first = completeLines(frame).next();
  const line = first.done ? frame : first.value.text;
  return {
    code: replyCodeOf(line) ?? 0,
    firstLine: toPrintable(line, MAX_REPLY_LINE_CHARS),
    text: bannerText(frame),
  };
}

/** Status of a connection greeting: 220 ready; 120 means "wait for the 220"; 421 and others refuse. */
export function greetingStatus(code: number): { status: ProbeStatus; detail?: string } | 'wait' {
  if (code === 220) return { status: 'success' };
  if (code === 120) return 'wait';
  if (code >= 400 && code < 600)
    return { status: 'application-error', detail: `server refuses service (${code})` };
  return { status: 'protocol-error', detail: `unexpected greeting code ${code}` };
}

/**
 * Outcome of the anonymous logon from the replies to USER and (if asked for) PASS: 230 → allowed;
 * 530 (or any other refusal) → denied. `undefined` while a PASS is still expected (331).
 */
export function anonymousOutcome(userReply: number, passReply?: number): boolean | undefined {
  if (userReply === 230) return true;
  if (userReply === 331 || userReply === 332) {
    if (passReply === undefined) return undefined;
    return passReply === 230 || passReply === 202;
  }
  return false;
}
