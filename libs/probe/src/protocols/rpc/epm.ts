/**
 * The endpoint mapper's ept_lookup (opnum 2; DCE 1.1 Appendix O, MS-RPCE 2.2.1.2.5 / 3.1.1.5.1.2)
 * in NDR, and the protocol towers it returns (DCE 1.1 Appendix L, MS-RPCE 2.2.1.3). Decoding is
 * bounds-checked throughout and never throws: malformed stubs come back as `{ ok: false, error }`.
 */
import { NdrError, NdrReader, NIL_UUID, printable, uuidFromBytesLE } from './ndr.js';

export const EPT_LOOKUP_OPNUM = 2;
/** ept_s_not_registered: "no (more) entries" — the normal end of a walk. */
export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;
/** RPC_C_EP_ALL_ELTS: every element, ignoring object, interface and version. */
const RPC_C_EP_ALL_ELTS = 0;
const RPC_C_VERS_ALL = 1;
/** ept_max_annotation_size; MS-RPCE allows no more. */
const MAX_ANNOTATION = 64;
/** Towers seen in practice have 4 or 5 floors; anything beyond this is not a tower we can print. */
const MAX_FLOORS = 16;
/** Fixed NDR size of one ept_entry_t before its annotation bytes: object, tower pointer, offset, count. */
const MIN_ENTRY_BYTES = 16 + 4 + 4 + 4;

/** The 20-byte context handle ept_lookup returns and takes back to continue a walk. */
export type EntryHandle = Buffer;
export const NULL_HANDLE: EntryHandle = Buffer.alloc(20);

export function isNullHandle(h: EntryHandle): boolean {
  return h.every((b) => b === 0);
}

/** ept_lookup request stub: every element, starting at (or continuing from) `handle`. */
export function encodeLookupStub(handle: EntryHandle, maxEnts: number): Buffer {
  const b = Buffer.alloc(4 + 4 + 4 + 4 + 20 + 4);
  b.writeUInt32LE(RPC_C_EP_ALL_ELTS, 0); // inquiry_type
  b.writeUInt32LE(0, 4); // object: NULL unique pointer
  b.writeUInt32LE(0, 8); // Ifid: NULL unique pointer
  b.writeUInt32LE(RPC_C_VERS_ALL, 12); // vers_option
  handle.copy(b, 16, 0, 20); // entry_handle
  b.writeUInt32LE(maxEnts, 36); // max_ents
  return b;
}

export interface TowerFloor {
  /** Protocol identifier: first byte of the left-hand side. */
  protocol: number;
  lhs: Buffer;
  rhs: Buffer;
}

type RpcProtocolName =
  'ncacn_ip_tcp' | 'ncadg_ip_udp' | 'ncacn_np' | 'ncacn_nb_nb' | 'ncalrpc' | 'ncacn_http' | 'unknown';

/** One endpoint as PortQry shows it, plus the pieces a policy or a report wants separately. */
export interface RpcEndpoint {
  /** Interface UUID (tower floor 1). */
  uuid: string;
  /** Interface version, `major.minor`. */
  version: string;
  /** Object UUID of the entry, when not nil. */
  object?: string;
  annotation: string;
  /** RPC string binding as PortQry prints it (backslashes escaped as in string bindings). */
  binding: string;
  protocol: RpcProtocolName;
  port?: number;
  pipe?: string;
  host?: string;
}

export interface LookupReply {
  handle: EntryHandle;
  entries: RpcEndpoint[];
  status: number;
}

/** Protocol identifiers of tower floors (MS-RPCE 2.2.1.3, DCE 1.1 Appendix I). */
const FLOOR = {
  uuid: 0x0d,
  ncacn: 0x0b,
  ncadg: 0x0a,
  ncalrpc: 0x0c,
  tcp: 0x07,
  udp: 0x08,
  ip: 0x09,
  pipe: 0x0f,
  lrpc: 0x10,
  netbios: 0x11,
  nb: 0x12,
  http: 0x1f,
} as const;

/** Tower floors: a little-endian floor count, then per floor lhs length + lhs, rhs length + rhs. */
export function decodeTowerFloors(tower: Buffer): TowerFloor[] {
  const r = new NdrReader(tower, true);
  const count = r.u16('floor count');
  if (count === 0 || count > MAX_FLOORS) throw new NdrError(`tower with ${count} floors`);
  const floors: TowerFloor[] = [];
  for (let i = 0; i < count; i++) {
    const lhs = r.bytes(r.u16('lhs length'), 'floor lhs');
    const rhs = r.bytes(r.u16('rhs length'), 'floor rhs');
    if (lhs.length === 0) throw new NdrError(`floor ${i + 1} has an empty left-hand side`);
    floors.push({ protocol: lhs[0]!, lhs, rhs });
  }
  return floors;
}

/** RPC string-binding escaping, as RpcBindingToStringBinding (and so PortQry) prints it. */
function escapeBinding(s: string): string {
  return s.replace(/\\/g, '\\\\');
}

function floorString(f: TowerFloor | undefined): string | undefined {
  return f ? printable(f.rhs, 256) : undefined;
}

function floorPort(f: TowerFloor | undefined): number | undefined {
  return f && f.rhs.length >= 2 ? f.rhs.readUInt16BE(0) : undefined;
}

function floorIp(f: TowerFloor | undefined): string | undefined {
  return f && f.rhs.length >= 4 ? [...f.rhs.subarray(0, 4)].join('.') : undefined;
}

/** Tower → interface id and binding. Throws NdrError on a tower that is not an RPC tower. */
export function towerToEndpoint(tower: Buffer): Omit<RpcEndpoint, 'annotation' | 'object'> {
  const floors = decodeTowerFloors(tower);
  const f1 = floors[0]!;
  if (f1.protocol !== FLOOR.uuid || f1.lhs.length < 19 || f1.rhs.length < 2)
    throw new NdrError('tower floor 1 is not an interface identifier');
  const uuid = uuidFromBytesLE(f1.lhs.subarray(1, 17));
  const version = `${f1.lhs.readUInt16LE(17)}.${f1.rhs.readUInt16LE(0)}`;
  const byId = (id: number, from = 2): TowerFloor | undefined =>
    floors.slice(from).find((f) => f.protocol === id);
  const rpcFloor = floors[2]?.protocol;
  const hasIp = byId(FLOOR.ip);
  const base = { uuid, version };
  if (rpcFloor === FLOOR.ncacn && byId(FLOOR.tcp)) {
    const port = floorPort(byId(FLOOR.tcp));
    const host = floorIp(hasIp);
    return {
      ...base,
      protocol: 'ncacn_ip_tcp',
      binding: `ncacn_ip_tcp:${host ?? ''}[${port ?? ''}]`,
      ...(port !== undefined ? { port } : {}),
      ...(host !== undefined ? { host } : {}),
    };
  }
  if (rpcFloor === FLOOR.ncadg && byId(FLOOR.udp)) {
    const port = floorPort(byId(FLOOR.udp));
    const host = floorIp(hasIp);
    return {
      ...base,
      protocol: 'ncadg_ip_udp',
      binding: `ncadg_ip_udp:${host ?? ''}[${port ?? ''}]`,
      ...(port !== undefined ? { port } : {}),
      ...(host !== undefined ? { host } : {}),
    };
  }
  if (rpcFloor === FLOOR.ncacn && byId(FLOOR.http)) {
    const port = floorPort(byId(FLOOR.http));
    const host = floorIp(hasIp);
    return {
      ...base,
      protocol: 'ncacn_http',
      binding: `ncacn_http:${host ?? ''}[${port ?? ''}]`,
      ...(port !== undefined ? { port } : {}),
      ...(host !== undefined ? { host } : {}),
    };
  }
  if (rpcFloor === FLOOR.ncacn && byId(FLOOR.pipe)) {
    const pipe = floorString(byId(FLOOR.pipe)) ?? '';
    const host = floorString(byId(FLOOR.netbios));
    return {
      ...base,
      protocol: 'ncacn_np',
      binding: `ncacn_np:${escapeBinding(host ?? '')}[${escapeBinding(pipe)}]`,
      pipe,
      ...(host ? { host } : {}),
    };
  }
  if (rpcFloor === FLOOR.ncacn && byId(FLOOR.nb)) {
    const host = floorString(byId(FLOOR.netbios));
    const endpoint = floorString(byId(FLOOR.nb)) ?? '';
    return {
      ...base,
      protocol: 'ncacn_nb_nb',
      binding: `ncacn_nb_nb:${escapeBinding(host ?? '')}[${escapeBinding(endpoint)}]`,
      ...(host ? { host } : {}),
    };
  }
  if (rpcFloor === FLOOR.ncalrpc || byId(FLOOR.lrpc)) {
    const name = floorString(byId(FLOOR.lrpc)) ?? '';
    return { ...base, protocol: 'ncalrpc', binding: `ncalrpc:[${escapeBinding(name)}]`, pipe: name };
  }
  const ids = floors
    .slice(2)
    .map((f) => `0x${f.protocol.toString(16).padStart(2, '0')}`)
    .join(',');
  return { ...base, protocol: 'unknown', binding: `unknown:[floors ${ids}]` };
}

/**
 * ept_lookup response stub: entry_handle, num_ents, entries[] (conformant varying array of ept_entry_t,
 * whose tower pointers are deferred after the array), status. `maxEnts` is what we asked for: an
 * answer claiming more entries is malformed (and is refused before anything is allocated for it).
 */
export function decodeLookupResponse(
  stub: Buffer,
  littleEndian: boolean,
  maxEnts: number,
): { ok: true; value: LookupReply } | { ok: false; error: string } {
  try {
    const r = new NdrReader(stub, littleEndian);
    const handle = Buffer.from(r.bytes(20, 'entry_handle'));
    const numEnts = r.u32('num_ents');
    const maxCount = r.u32('entries max_count');
    const offset = r.u32('entries offset');
    const actual = r.u32('entries actual_count');
    if (numEnts > maxEnts) throw new NdrError(`num_ents ${numEnts} exceeds the ${maxEnts} asked for`);
    if (actual !== numEnts) throw new NdrError(`actual_count ${actual} differs from num_ents ${numEnts}`);
    if (offset !== 0 || actual > maxCount)
      throw new NdrError(`bad array bounds (offset ${offset}, ${actual}/${maxCount})`);
    if (actual * MIN_ENTRY_BYTES > r.remaining)
      throw new NdrError(`${actual} entries cannot fit in ${r.remaining} bytes`);

    const fixed: Array<{ object: string; towerRef: number; annotation: string }> = [];
    for (let i = 0; i < actual; i++) {
      r.align(4);
      const object = r.uuid('entry object');
      const towerRef = r.u32('tower pointer');
      const annOffset = r.u32('annotation offset');
      const annLength = r.u32('annotation length');
      if (annOffset !== 0 || annLength > MAX_ANNOTATION)
        throw new NdrError(`annotation bounds (offset ${annOffset}, length ${annLength})`);
      const annotation = printable(r.bytes(annLength, 'annotation'), MAX_ANNOTATION);
      fixed.push({ object, towerRef, annotation });
    }
    const entries: RpcEndpoint[] = [];
    for (const e of fixed) {
      if (e.towerRef === 0) continue; // a NULL tower pointer has no deferred data; nothing to print
      r.align(4);
      const towerMax = r.u32('tower max_count');
      const towerLength = r.u32('tower_length');
      if (towerLength > towerMax) throw new NdrError(`tower_length ${towerLength} > max_count ${towerMax}`);
      const tower = r.bytes(towerLength, 'tower octets');
      entries.push({
        ...towerToEndpoint(tower),
        ...(e.object !== NIL_UUID ? { object: e.object } : {}),
        annotation: e.annotation,
      });
    }
    r.align(4);
    const status = r.u32('status');
    return { ok: true, value: { handle, entries, status } };
  } catch (err) {
    return {
      ok: false,
      error:
        err instanceof NdrError
          ? `malformed ept_lookup response: ${err.message}`
          : 'malformed ept_lookup response',
    };
  }
}

/** PortQry's lines for one endpoint: `UUID: <uuid> <annotation>` then the binding. */
export function endpointLines(e: Pick<RpcEndpoint, 'uuid' | 'annotation' | 'binding'>): string[] {
  return [`UUID: ${e.uuid}${e.annotation ? ` ${e.annotation}` : ''}`, e.binding];
}
