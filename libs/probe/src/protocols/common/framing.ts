/**
 * Framers decide where a protocol's message (a greeting, a reply, a response head) ends in the bytes
 * read so far. They are pure functions of the buffered bytes, so each is unit-tested on recorded bytes.
 */
export type FrameResult =
  | { readonly kind: 'more' }
  | { readonly kind: 'complete'; readonly length: number }
  | { readonly kind: 'invalid'; readonly reason: string };

export type Framer = (buffered: Buffer) => FrameResult;

export const MORE: FrameResult = Object.freeze({ kind: 'more' });

export function complete(length: number): FrameResult {
  return { kind: 'complete', length };
}

export function invalid(reason: string): FrameResult {
  return { kind: 'invalid', reason };
}

/** A complete line: `start`..`end` (exclusive, including its LF), `text` without the line ending. */
export interface Line {
  readonly start: number;
  readonly end: number;
  readonly text: Buffer;
}

/**
 * Iterates the complete (LF-terminated; CRLF accepted) lines of `buf` from `from`, lazily. The
 * unterminated tail, if any, is not yielded.
 */
export function* completeLines(buf: Buffer, from = 0): Generator<Line> {
  let start = from;
  while (start < buf.length) {
    const lf = buf.indexOf(0x0a, start);
    if (lf < 0) return;
    const textEnd = lf > start && buf[lf - 1] === 0x0d ? lf - 1 : lf;
    yield { start, end: lf + 1, text: buf.subarray(start, textEnd) };
    start = lf + 1;
  }
}

/** Splits a complete frame into its lines (each without its line ending). A trailing partial line is kept. */
export function frameLines(frame: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let end = 0;
  for (const line of completeLines(frame)) {
    lines.push(line.text);
    end = line.end;
  }
  if (end < frame.length) lines.push(frame.subarray(end));
  return lines;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** `ddd` reply code at the start of a line, or undefined. */
export function replyCodeOf(text: Buffer): number | undefined {
  if (!isDigit(text[0]) || !isDigit(text[1]) || !isDigit(text[2])) return undefined;
  return Number(text.subarray(0, 3).toString('latin1'));
}

/**
 * Reply of the `ddd-text` … `ddd text` shape shared by SMTP (RFC 5321 §4.2: every line carries the
 * code) and FTP (RFC 959 §4.2: only the first and the last line must; lines between are free text).
 * The reply ends at the first line that starts with the first line's code followed by a space (or the
 * code alone, which SMTP allows).
 */
export function replyFramer(mode: 'smtp' | 'ftp'): Framer {
  return (buf) => {
    let code: number | undefined;
    for (const line of completeLines(buf)) {
      const lineCode = replyCodeOf(line.text);
      const sep = line.text[3];
      if (code === undefined) {
        if (lineCode === undefined || (sep !== undefined && sep !== 0x20 && sep !== 0x2d)) {
          return invalid('reply does not start with a three-digit code');
        }
        code = lineCode;
      } else if (lineCode === undefined || (sep !== undefined && sep !== 0x20 && sep !== 0x2d)) {
        if (mode === 'smtp') return invalid('continuation line without a reply code');
        continue;
      } else if (mode === 'smtp' && lineCode !== code) {
        return invalid(`continuation line with another code (${lineCode} after ${code})`);
      } else if (lineCode !== code) {
        continue;
      }
      if (sep === undefined || sep === 0x20) return complete(line.end);
    }
    // Reject a non-code first line before its end arrives, so binary garbage fails fast.
    if (code === undefined && buf.length >= 3 && replyCodeOf(buf) === undefined) {
      return invalid('reply does not start with a three-digit code');
    }
    return MORE;
  };
}

/** One LF-terminated line whose start must pass `accept` (checked as soon as enough bytes arrive). */
export function singleLineFramer(prefixes: readonly string[], what: string): Framer {
  const wanted = prefixes.map((p) => Buffer.from(p, 'latin1'));
  return (buf) => {
    const prefixOk = wanted.some((p) => {
      const n = Math.min(p.length, buf.length);
      return buf.subarray(0, n).equals(p.subarray(0, n));
    });
    if (!prefixOk) return invalid(`${what} does not start with ${prefixes.join(' or ')}`);
    const lf = buf.indexOf(0x0a);
    if (lf < 0) return MORE;
    const fullPrefixOk = wanted.some((p) => lf >= p.length && buf.subarray(0, p.length).equals(p));
    return fullPrefixOk ? complete(lf + 1) : invalid(`${what} line too short`);
  };
}

/** Exactly the next `n` bytes (n > 0), e.g. a length prefix and then the message it announces. */
export function exactly(n: number): Framer {
  return (buf) => (buf.length >= n ? complete(n) : MORE);
}
