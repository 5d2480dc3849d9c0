/**
 * CLDAP (LDAP over UDP, as Active Directory serves it on UDP 389: RFC 1798's transport with LDAPv3
 * messages, RFC 4511) — the rootDSE search request and the decoding of the answer datagram, which
 * carries the SearchResultEntry and the SearchResultDone back to back. BER through asn1-ber (net-snmp's
 * codec). Decoding is bounded (messages, attributes, values) and never throws.
 */
import asn1 from 'asn1-ber';

const Ber = asn1.Ber;

const TAG = {
  sequence: 0x30,
  set: 0x31,
  integer: 0x02,
  octetString: 0x04,
  enumerated: 0x0a,
  boolean: 0x01,
  searchRequest: 0x63, // [APPLICATION 3]
  searchResultEntry: 0x64, // [APPLICATION 4]
  searchResultDone: 0x65, // [APPLICATION 5]
  searchResultReference: 0x73, // [APPLICATION 19]
  filterPresent: 0x87, // [7] present
} as const;

/** A datagram holds a handful of messages; anything beyond is not a rootDSE answer. */
const MAX_MESSAGES = 16;
const MAX_ATTRIBUTES = 256;
const MAX_VALUES = 512;

export interface SearchRequestOptions {
  messageId: number;
  /** Attributes to ask for; empty = every user attribute (what PortQry shows). */
  attributes?: readonly string[];
}

/** searchRequest: base "", scope baseObject, (objectClass=*), no bind (CLDAP has none). */
export function encodeRootDseSearch(o: SearchRequestOptions): Buffer {
  const w = new Ber.Writer();
  w.startSequence(TAG.sequence);
  w.writeInt(o.messageId, TAG.integer);
  w.startSequence(TAG.searchRequest);
  w.writeBuffer(Buffer.alloc(0), TAG.octetString); // baseObject ""
  w.writeInt(0, TAG.enumerated); // scope baseObject
  w.writeInt(0, TAG.enumerated); // derefAliases neverDerefAliases
  w.writeInt(0, TAG.integer); // sizeLimit
  w.writeInt(0, TAG.integer); // timeLimit
  w.writeBuffer(Buffer.from([0x00]), TAG.boolean); // typesOnly FALSE
  w.writeBuffer(Buffer.from('objectClass', 'latin1'), TAG.filterPresent);
  w.startSequence(TAG.sequence);
  for (const a of o.attributes ?? []) w.writeBuffer(Buffer.from(a, 'utf8'), TAG.octetString);
  w.endSequence();
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

interface CldapEntry {
  dn: string;
  attributes: Array<{ type: string; values: Buffer[] }>;
}

export interface CldapAnswer {
  messageId: number;
  entries: CldapEntry[];
  /** SearchResultDone, when present. */
  done?: { resultCode: number; diagnosticMessage: string };
}

export type DecodeResult = { ok: true; answer: CldapAnswer } | { ok: false; error: string };

class BerError extends Error {}

type Reader = InstanceType<typeof Ber.Reader>;

/** Opens a constructed element with `tag` and returns the offset where it ends (checked). */
function open(r: Reader, tag: number, what: string, limit: number): number {
  if (r.peek() !== tag)
    throw new BerError(`${what}: expected tag 0x${tag.toString(16)}, got ${r.peek() ?? 'end'}`);
  // asn1-ber's readSequence returns the tag; the content length is left in `length`.
  if (r.readSequence(tag) === null) throw new BerError(`${what}: truncated`);
  const len = r.length;
  const end = r.offset + len;
  if (end > limit) throw new BerError(`${what}: length ${len} runs past its container`);
  return end;
}

function octets(r: Reader, what: string, limit: number): Buffer {
  if (r.peek() !== TAG.octetString) throw new BerError(`${what}: not an OCTET STRING`);
  const b = r.readString(TAG.octetString, true);
  if (b === null || r.offset > limit) throw new BerError(`${what}: truncated`);
  return b;
}

function integer(r: Reader, tag: number, what: string, limit: number): number {
  if (r.peek() !== tag) throw new BerError(`${what}: expected tag 0x${tag.toString(16)}`);
  const v = r.readInt(tag);
  if (v === null || r.offset > limit) throw new BerError(`${what}: truncated`);
  return v;
}

function decodeEntry(r: Reader, end: number): CldapEntry {
  const dn = octets(r, 'objectName', end).toString('utf8');
  const attrsEnd = open(r, TAG.sequence, 'attributes', end);
  const attributes: CldapEntry['attributes'] = [];
  while (r.offset < attrsEnd) {
    if (attributes.length >= MAX_ATTRIBUTES) throw new BerError(`more than ${MAX_ATTRIBUTES} attributes`);
    const attrEnd = open(r, TAG.sequence, 'PartialAttribute', attrsEnd);
    const type = octets(r, 'attribute type', attrEnd).toString('utf8');
    const valsEnd = open(r, TAG.set, 'attribute values', attrEnd);
    const values: Buffer[] = [];
    while (r.offset < valsEnd) {
      if (values.length >= MAX_VALUES) throw new BerError(`more than ${MAX_VALUES} values for ${type}`);
      values.push(Buffer.from(octets(r, 'attribute value', valsEnd)));
    }
    if (r.offset !== valsEnd || valsEnd !== attrEnd)
      throw new BerError(`attribute ${type} has trailing bytes`);
    attributes.push({ type, values });
  }
  return { dn, attributes };
}

/**
 * One CLDAP answer datagram → the messages for `messageId`. Messages for another id are an error
 * (the caller's connected socket only hears from the peer; a foreign id is a stale or bogus answer).
 */
export function decodeCldapDatagram(datagram: Buffer): DecodeResult {
  try {
    const answer: CldapAnswer = { messageId: -1, entries: [] };
    let start = 0;
    for (let n = 0; start < datagram.length; n++) {
      if (n >= MAX_MESSAGES) throw new BerError(`more than ${MAX_MESSAGES} messages in one datagram`);
      const view = datagram.subarray(start);
      const r = new Ber.Reader(view);
      const end = open(r, TAG.sequence, 'LDAPMessage', view.length);
      const id = integer(r, TAG.integer, 'messageID', end);
      if (answer.messageId === -1) answer.messageId = id;
      else if (id !== answer.messageId)
        throw new BerError(`messages ${answer.messageId} and ${id} in one datagram`);
      const tag = r.peek();
      if (tag === TAG.searchResultEntry) {
        const opEnd = open(r, tag, 'SearchResultEntry', end);
        answer.entries.push(decodeEntry(r, opEnd));
      } else if (tag === TAG.searchResultDone) {
        const opEnd = open(r, tag, 'SearchResultDone', end);
        const resultCode = integer(r, TAG.enumerated, 'resultCode', opEnd);
        octets(r, 'matchedDN', opEnd);
        const diagnosticMessage = octets(r, 'diagnosticMessage', opEnd).toString('utf8').slice(0, 200);
        answer.done = { resultCode, diagnosticMessage };
      } else if (tag === TAG.searchResultReference) {
        // a referral for a rootDSE search is odd but harmless: skip it
      } else {
        throw new BerError(`unexpected protocolOp tag ${tag === null ? 'end' : `0x${tag.toString(16)}`}`);
      }
      start += end; // controls (if any) after the protocolOp are skipped with the message
    }
    if (answer.messageId === -1) throw new BerError('empty datagram');
    return { ok: true, answer };
  } catch (err) {
    return {
      ok: false,
      error:
        err instanceof BerError
          ? err.message
          : `not BER: ${(err as Error)?.message ?? 'error'}`.slice(0, 200),
    };
  }
}
