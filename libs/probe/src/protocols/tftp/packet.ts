/**
 * TFTP (RFC 1350) read request and the first packet a server sends back. The request asks for a file
 * name that cannot exist (random), in octet mode, without options; the expected answer is ERROR
 * (file not found / access violation), which proves a server just as well as DATA would.
 */
import { randomBytes } from 'node:crypto';

import { printableText } from '../common/printable.js';

export const OPCODE = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;
const MAX_MESSAGE_CHARS = 200;

export function buildReadRequest(fileName = `fleetqry-probe-${randomBytes(6).toString('hex')}`): Buffer {
  return Buffer.concat([
    Buffer.from([0, OPCODE.RRQ]),
    Buffer.from(fileName, 'ascii'),
    Buffer.from([0]),
    Buffer.from('octet', 'ascii'),
    Buffer.from([0]),
  ]);
}

/** ERROR code 0 ("not defined"), sent to abort a transfer the server started (file existed). */
export function buildAbort(): Buffer {
  return Buffer.concat([
    Buffer.from([0, OPCODE.ERROR, 0, 0]),
    Buffer.from('fleetqry probe, transfer not wanted\0'),
  ]);
}

const ERROR_CODES = [
  'not defined',
  'file not found',
  'access violation',
  'disk full',
  'illegal operation',
  'unknown transfer id',
  'file exists',
  'no such user',
  'option negotiation refused',
];

export type TftpReply =
  | { kind: 'error'; code: number; codeName: string; message: string }
  | { kind: 'data'; block: number; bytes: number }
  | { kind: 'oack' };

export type TftpParse = { ok: true; reply: TftpReply } | { ok: false; error: string };

const printable = (b: Buffer): string => printableText(b, MAX_MESSAGE_CHARS);

export function parseReply(buf: Buffer): TftpParse {
  if (buf.length < 4)
    return { ok: false, error: `datagram of ${buf.length} bytes is shorter than a TFTP packet` };
  const opcode = buf.readUInt16BE(0);
  switch (opcode) {
    case OPCODE.ERROR: {
      const code = buf.readUInt16BE(2);
      const rest = buf.subarray(4);
      const nul = rest.indexOf(0);
      return {
        ok: true,
        reply: {
          kind: 'error',
          code,
          codeName: ERROR_CODES[code] ?? `code ${code}`,
          message: printable(nul === -1 ? rest : rest.subarray(0, nul)),
        },
      };
    }
    case OPCODE.DATA:
      return buf.length > 4 + 512
        ? { ok: false, error: `DATA of ${buf.length - 4} bytes exceeds 512` }
        : { ok: true, reply: { kind: 'data', block: buf.readUInt16BE(2), bytes: buf.length - 4 } };
    case OPCODE.OACK:
      return { ok: true, reply: { kind: 'oack' } };
    default:
      return { ok: false, error: `opcode ${opcode} is not an answer to a read request` };
  }
}

export function describeReply(r: TftpReply): string {
  switch (r.kind) {
    case 'error':
      return `TFTP ERROR ${r.code} (${r.codeName})${r.message ? `: ${r.message}` : ''}`;
    case 'data':
      return `TFTP DATA block ${r.block} (${r.bytes} bytes)`;
    case 'oack':
      return 'TFTP OACK';
  }
}
