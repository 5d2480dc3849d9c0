import type { SshData } from '@fleetqry/contracts';

import { completeLines, complete, type Framer, invalid, MORE } from '../common/framing.js';
import { toPrintable } from '../common/printable.js';

/**
 * RFC 4253 §4.2 limits the identification line to 255 characters including CR LF; like OpenSSH's
 * client we accept longer ones (the read's byte cap bounds them) but keep at most this much of it.
 */
const MAX_IDENT_LINE = 255;
/** Pre-banner lines a client accepts before giving up (OpenSSH's limit). */
const MAX_PRE_BANNER_LINES = 1024;

const SSH_PREFIX = Buffer.from('SSH-', 'latin1');

/**
 * SSH identification (RFC 4253 §4.2): the server may send other lines first (none starting `SSH-`),
 * then `SSH-protoversion-softwareversion SP comments CR LF`. The frame ends after that line. A NUL in
 * any line or more than MAX_PRE_BANNER_LINES pre-banner lines is not SSH.
 */
export const sshIdentFramer: Framer = (buf) => {
  let count = 0;
  let tail = 0;
  for (const line of completeLines(buf)) {
    tail = line.end;
    if (line.text.includes(0)) return invalid('NUL byte before the SSH identification');
    if (line.text.subarray(0, 4).equals(SSH_PREFIX)) {
      return complete(line.end);
    }
    if (++count >= MAX_PRE_BANNER_LINES)
      return invalid(`more than ${MAX_PRE_BANNER_LINES} lines before SSH-`);
  }
  return buf.includes(0, tail) ? invalid('NUL byte before the SSH identification') : MORE;
};

export interface SshIdent {
  /** Printable identification line (without CR LF). */
  line: string;
  /** Printable pre-banner lines, if the server sent any. */
  preBanner: string[];
  data?: SshData;
  /** Why `data` is absent: the line is not `SSH-proto-software`. */
  error?: string;
}

const MAX_FIELD = 255;

/** Parses a complete frame (pre-banner lines, then the identification line). */
export function parseSshIdent(frame: Buffer): SshIdent {
  const lines = [...completeLines(frame)].map((l) => l.text);
  const identBytes = lines.pop() ?? frame;
  const preBanner = lines.map((l) => toPrintable(l, MAX_FIELD));
  const line = toPrintable(identBytes, MAX_IDENT_LINE);
  const m = /^SSH-([^-\s]+)-([^\s]*)(?: (.*))?$/s.exec(identBytes.toString('latin1'));
  if (!m || !m[2])
    return { line, preBanner, error: 'identification is not SSH-protoversion-softwareversion' };
  const data: SshData = {
    protoVersion: toPrintable(m[1]!, MAX_FIELD),
    software: toPrintable(m[2], MAX_FIELD),
  };
  if (m[3] !== undefined && m[3] !== '') data.comments = toPrintable(m[3], MAX_FIELD);
  return { line, preBanner, data };
}
