/**
 * SNMPv1/v2c message codec on asn1-ber, the BER library net-snmp itself uses. net-snmp's Message and
 * PDU classes are not exported and its Session owns one unconnected socket per community, so the
 * shared connected-socket sweep encodes and decodes here. Decoding treats every byte as hostile: all
 * lengths are checked against what is left, loops are bounded by the datagram size and MAX_VARBINDS,
 * and every failure comes back as a value, never as an exception.
 */
import asn1 from 'asn1-ber';

import { DecodeError, decodeSafely, enter, integer, primitive, type Reader, tagHex } from './ber-read.js';

const { Ber } = asn1;

export type SnmpVersion = 'v1' | 'v2c';

const VERSION_NUMBER: Record<SnmpVersion, number> = { v1: 0, v2c: 1 };

const TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
  getRequest: 0xa0,
  getResponse: 0xa2,
} as const;

/** sysDescr.0, sysObjectID.0, sysName.0: what PortQry-style SNMP output shows. */
export const SYSTEM_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysName: '1.3.6.1.2.1.1.5.0',
} as const;

/** Largest datagram decoded (IPv4 UDP payload maximum); anything bigger is not a UDP answer. */
const MAX_MESSAGE_BYTES = 65_507;
/** We ask for three OIDs; an answer with far more varbinds is not an answer to us. */
const MAX_VARBINDS = 64;
const MAX_OID_BYTES = 128;

const VALUE_TYPES: Record<number, string> = {
  0x02: 'Integer',
  0x04: 'OctetString',
  0x05: 'Null',
  0x06: 'OID',
  0x40: 'IpAddress',
  0x41: 'Counter',
  0x42: 'Gauge',
  0x43: 'TimeTicks',
  0x44: 'Opaque',
  0x46: 'Counter64',
  0x80: 'noSuchObject',
  0x81: 'noSuchInstance',
  0x82: 'endOfMibView',
};

/** RFC 3416 error-status names (the v1 ones are 0..5). */
const ERROR_STATUS = [
  'noError',
  'tooBig',
  'noSuchName',
  'badValue',
  'readOnly',
  'genErr',
  'noAccess',
  'wrongType',
  'wrongLength',
  'wrongEncoding',
  'wrongValue',
  'noCreation',
  'inconsistentValue',
  'resourceUnavailable',
  'commitFailed',
  'undoFailed',
  'authorizationError',
  'notWritable',
  'inconsistentName',
];

export function errorStatusName(status: number): string {
  return ERROR_STATUS[status] ?? `error-status ${status}`;
}

export interface GetRequest {
  version: SnmpVersion;
  community: string;
  requestId: number;
  oids: readonly string[];
}

interface Varbind {
  oid: string;
  /** Value type name (`OctetString`, `OID`, `noSuchObject`, ...) or `tag 0x..` when unknown. */
  type: string;
  /** OctetString as raw bytes, OID dotted; other types hex-encoded; absent for Null and exceptions. */
  value?: Buffer | string;
}

export interface SnmpResponse {
  version: SnmpVersion;
  /** Raw community bytes, only to match the answer to its request; never printed. */
  community: Buffer;
  requestId: number;
  errorStatus: number;
  errorIndex: number;
  varbinds: Varbind[];
}

export type DecodeResult = { ok: true; message: SnmpResponse } | { ok: false; error: string };

export function encodeGetRequest(req: GetRequest): Buffer {
  const w = new Ber.Writer();
  w.startSequence(TAG.sequence);
  w.writeInt(VERSION_NUMBER[req.version]);
  w.writeBuffer(Buffer.from(req.community, 'utf8'), TAG.octetString);
  w.startSequence(TAG.getRequest);
  w.writeInt(req.requestId);
  w.writeInt(0); // error-status
  w.writeInt(0); // error-index
  w.startSequence(TAG.sequence);
  for (const oid of req.oids) {
    w.startSequence(TAG.sequence);
    w.writeOID(oid);
    w.writeNull();
    w.endSequence();
  }
  w.endSequence();
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

/** OID from its content bytes; bounded by MAX_OID_BYTES, subidentifiers kept to 32 bits. */
function oidFromBytes(bytes: Buffer, what: string): string {
  if (bytes.length === 0 || bytes.length > MAX_OID_BYTES)
    throw new DecodeError(`${what} has ${bytes.length} bytes`);
  const parts: number[] = [];
  let value = 0;
  let septets = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (++septets > 5 || value > 0xffffffff) throw new DecodeError(`${what} subidentifier too large`);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
      septets = 0;
    }
  }
  if (septets !== 0) throw new DecodeError(`${what} ends inside a subidentifier`);
  const first = parts.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

function varbind(r: Reader, index: number): Varbind {
  const end = enter(r, TAG.sequence, `varbind ${index}`);
  const name = primitive(r, `varbind ${index} name`);
  if (name.tag !== TAG.oid)
    throw new DecodeError(`varbind ${index} name is tag ${tagHex(name.tag)}, not an OID`);
  const oid = oidFromBytes(name.bytes, `varbind ${index} name`);
  const { tag, bytes } = primitive(r, `varbind ${index} value`);
  if (r.offset !== end) throw new DecodeError(`varbind ${index} has trailing bytes`);
  const type = VALUE_TYPES[tag] ?? `tag ${tagHex(tag)}`;
  switch (tag) {
    case TAG.octetString:
      return { oid, type, value: bytes };
    case TAG.oid:
      return { oid, type, value: oidFromBytes(bytes, `varbind ${index} value`) };
    case TAG.null:
    case 0x80:
    case 0x81:
    case 0x82:
      return { oid, type };
    default:
      return { oid, type, value: bytes.toString('hex') };
  }
}

function decode(r: Reader, buf: Buffer): SnmpResponse {
  const end = enter(r, TAG.sequence, 'message');
  if (end !== buf.length)
    throw new DecodeError(`message length ${end} does not match the datagram (${buf.length})`);
  const versionNumber = integer(r, 'version');
  const version = versionNumber === 0 ? 'v1' : versionNumber === 1 ? 'v2c' : undefined;
  if (!version) throw new DecodeError(`unsupported SNMP version number ${versionNumber}`);
  const community = primitive(r, 'community');
  if (community.tag !== TAG.octetString) throw new DecodeError(`community is tag ${tagHex(community.tag)}`);
  const pduTag = r.peek();
  if (pduTag !== TAG.getResponse)
    throw new DecodeError(
      pduTag === null ? 'truncated before PDU' : `PDU type ${tagHex(pduTag)} is not a Response`,
    );
  const pduEnd = enter(r, TAG.getResponse, 'PDU');
  const requestId = integer(r, 'request-id');
  const errorStatus = integer(r, 'error-status');
  const errorIndex = integer(r, 'error-index');
  const listEnd = enter(r, TAG.sequence, 'varbind list');
  const varbinds: Varbind[] = [];
  while (r.offset < listEnd) {
    if (varbinds.length >= MAX_VARBINDS) throw new DecodeError(`more than ${MAX_VARBINDS} varbinds`);
    varbinds.push(varbind(r, varbinds.length + 1));
  }
  if (r.offset !== listEnd || listEnd !== pduEnd || pduEnd !== end)
    throw new DecodeError('nested lengths disagree');
  return { version, community: community.bytes, requestId, errorStatus, errorIndex, varbinds };
}

/** Decodes one SNMPv1/v2c Response datagram. Never throws; errors never contain payload bytes. */
export function decodeResponse(buf: Buffer): DecodeResult {
  const r = decodeSafely(buf, MAX_MESSAGE_BYTES, decode);
  return r.ok ? { ok: true, message: r.value } : r;
}
