/**
 * SQL Server Resolution Protocol ([MC-SQLR]): the CLNT_UCAST_EX request (one byte, 0x03) and the
 * SVR_RESP answer (0x05, RESP_SIZE little-endian, then `ServerName;X;InstanceName;Y;IsClustered;No;
 * Version;15.0…;tcp;1433;np;\\X\pipe\…;;` per instance). The text is MBCS; it is read as Latin-1 (every
 * byte maps to one character, nothing throws). Bounded: at most MAX_INSTANCES, each value capped.
 */
import type { MssqlData } from '@fleetqry/contracts';

import { printableText } from '../common/printable.js';

export const CLNT_UCAST_EX = Buffer.from([0x03]);
const SVR_RESP = 0x05;
const MAX_INSTANCES = 256;
const MAX_VALUE_CHARS = 256;
/** Protocol tokens after Version and their number of values ([MC-SQLR] 2.2.5). */
const PROTOCOL_VALUES: Record<string, number> = { np: 1, tcp: 1, via: 1, rpc: 1, spx: 1, adsp: 1, bv: 2 };
const REQUIRED = ['ServerName', 'InstanceName', 'IsClustered', 'Version'] as const;

type Instance = MssqlData['instances'][number];
export type BrowserParse = { ok: true; data: MssqlData } | { ok: false; error: string };

function parseInstance(record: string, index: number): Instance {
  const tokens = record.split(';');
  const fields: Record<string, string> = {};
  const other: Record<string, string> = {};
  let i = 0;
  // The four required pairs come first, in this order.
  for (const key of REQUIRED) {
    if (tokens[i] !== key)
      throw new Error(`instance ${index}: expected ${key}, got "${printableText(tokens[i] ?? '', 32)}"`);
    if (i + 1 >= tokens.length) throw new Error(`instance ${index}: ${key} has no value`);
    fields[key] = printableText(tokens[i + 1]!, MAX_VALUE_CHARS);
    i += 2;
  }
  let tcpPort: number | undefined;
  let namedPipe: string | undefined;
  while (i < tokens.length) {
    const name = tokens[i]!;
    const count = PROTOCOL_VALUES[name];
    if (count === undefined)
      throw new Error(`instance ${index}: unknown protocol token "${printableText(name, 32)}"`);
    if (i + count >= tokens.length) throw new Error(`instance ${index}: ${name} has no value`);
    const values = tokens.slice(i + 1, i + 1 + count).map((v) => printableText(v, MAX_VALUE_CHARS));
    i += 1 + count;
    if (name === 'tcp') {
      if (!/^\d{1,5}$/.test(values[0]!) || Number(values[0]) > 65535)
        throw new Error(`instance ${index}: tcp port "${values[0]}" is not a port number`);
      tcpPort = Number(values[0]);
    } else if (name === 'np') namedPipe = values[0];
    else other[name] = values.join(';');
  }
  const clustered = fields.IsClustered!.toLowerCase();
  if (clustered !== 'yes' && clustered !== 'no')
    throw new Error(`instance ${index}: IsClustered is "${fields.IsClustered}"`);
  return {
    serverName: fields.ServerName!,
    instanceName: fields.InstanceName!,
    isClustered: clustered === 'yes',
    version: fields.Version!,
    ...(tcpPort !== undefined ? { tcpPort } : {}),
    ...(namedPipe !== undefined ? { namedPipe } : {}),
    ...(Object.keys(other).length ? { other } : {}),
  };
}

function parse(buf: Buffer): MssqlData {
  if (buf.length < 3) throw new Error(`datagram of ${buf.length} bytes is shorter than an SVR_RESP header`);
  if (buf[0] !== SVR_RESP) throw new Error(`first byte 0x${buf[0]!.toString(16)} is not SVR_RESP (0x05)`);
  const size = buf.readUInt16LE(1);
  if (size > buf.length - 3)
    throw new Error(`RESP_SIZE ${size} exceeds the ${buf.length - 3} bytes received`);
  const text = buf.subarray(3, 3 + size).toString('latin1');
  if (!text.endsWith(';;')) throw new Error('response does not end with ";;"');
  const records = text.slice(0, -2).split(';;');
  if (records.length > MAX_INSTANCES) throw new Error(`more than ${MAX_INSTANCES} instances`);
  return { instances: records.map((r, i) => parseInstance(r, i + 1)) };
}

/** Parses one SVR_RESP datagram. Never throws. */
export function parseBrowserResponse(buf: Buffer): BrowserParse {
  try {
    return { ok: true, data: parse(buf) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : 'malformed response' };
  }
}

/** Builds an SVR_RESP (tests and fakes): the inverse of parseBrowserResponse for well-formed input. */
export function buildBrowserResponse(text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const head = Buffer.alloc(3);
  head[0] = SVR_RESP;
  head.writeUInt16LE(body.length, 1);
  return Buffer.concat([head, body]);
}
