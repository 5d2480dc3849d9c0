/** Default cap on a printable string placed in a result (banner, evidence, detail). */
const MAX_PRINTABLE_CHARS = 1024;

const TRUNCATION_MARK = '...';

function escapeByte(byte: number): string {
  switch (byte) {
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    default:
      return `\\x${byte.toString(16).padStart(2, '0')}`;
  }
}

/**
 * Makes peer bytes safe to print: printable ASCII (0x20–0x7e) is kept, everything else (control
 * characters, DEL, bytes ≥ 0x80) becomes `\r`, `\n`, `\t` or `\xHH`. The result has at most `maxChars`
 * characters; when input was dropped it ends with `...` (escapes are never cut in half).
 */
export function toPrintable(input: Buffer | string, maxChars = MAX_PRINTABLE_CHARS): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const limit = Math.max(maxChars, TRUNCATION_MARK.length);
  const pieces: string[] = [];
  let length = 0;
  for (const byte of bytes) {
    const piece = byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : escapeByte(byte);
    pieces.push(piece);
    length += piece.length;
    // Past the limit: stop scanning (the input may be large); what was kept gets cut below.
    if (length > limit) break;
  }
  if (length <= limit) return pieces.join('');
  let out = '';
  for (const piece of pieces) {
    if (out.length + piece.length > limit - TRUNCATION_MARK.length) break;
    out += piece;
  }
  return out + TRUNCATION_MARK;
}

/**
 * Peer text as one printable line (evidence, names, messages): runs of control characters (C0, DEL, C1)
 * become one space, the ends are trimmed, and the result is capped at `max` characters, then `…`.
 * Bytes are read as latin1, so every byte is one character.
 */
export function printableText(input: Buffer | string, max = 200): string {
  const s = typeof input === 'string' ? input : input.toString('latin1');
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * Printable text that keeps its line structure: each line (split on LF, a trailing CR dropped) is made
 * printable on its own and the lines are joined with `\n`. The whole result is capped at `maxChars`.
 * Used for banners, which the CLI prints line by line.
 */
export function toPrintableLines(lines: readonly Buffer[], maxChars = MAX_PRINTABLE_CHARS): string {
  let out = '';
  for (const [index, line] of lines.entries()) {
    const text = toPrintable(stripEol(line), maxChars);
    const sep = index === 0 ? '' : '\n';
    if (out.length + sep.length + text.length > maxChars) {
      const room = maxChars - out.length - sep.length;
      return room > TRUNCATION_MARK.length
        ? out + sep + toPrintable(stripEol(line), room)
        : out + (out.length + TRUNCATION_MARK.length <= maxChars ? TRUNCATION_MARK : '');
    }
    out += sep + text;
  }
  return out;
}

/** The line without its terminating LF or CRLF. */
function stripEol(line: Buffer): Buffer {
  let end = line.length;
  if (end > 0 && line[end - 1] === 0x0a) end--;
  if (end > 0 && line[end - 1] === 0x0d) end--;
  return line.subarray(0, end);
}
