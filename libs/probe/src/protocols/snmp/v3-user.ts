/**
 * Authenticated SNMPv3 gets of the system group through net-snmp (USM: engine discovery, time sync,
 * key localisation, HMAC, DES/AES). For every configured user: one get at the credential's own level
 * and protocols, and — unless that level is noAuthNoPriv already — one get with the same user name
 * and no keys, which tells whether the agent lets that user in unauthenticated. The outcome is what the
 * agent did (RFC 3414 report counters, authorizationError, values), never a key.
 */
import { isIPv6 } from 'node:net';

import {
  snmpV3Level,
  type SnmpV3AuthProtocol,
  type SnmpV3Outcome,
  type SnmpV3PrivProtocol,
  type SnmpV3User,
  type SnmpV3UserResult,
} from '@fleetqry/contracts';
import type NetSnmp from 'net-snmp';

import { ensureDesPrivacy } from './des-compat.js';
import { SYSTEM_OIDS } from './message.js';

export type V3UserInput = SnmpV3User & { credential?: string };

export interface V3Target {
  address: string;
  port: number;
  /** Every session of the check leaves from this local port (PortQry -sp); users are then asked one by one. */
  sourcePort?: number;
  signal: AbortSignal;
}

interface V3GetResult {
  outcome: SnmpV3Outcome;
  /** sysDescr / sysName / sysObjectID when the agent returned them. */
  system?: { sysDescr?: string; sysName?: string; sysObjectID?: string };
}

export interface V3UserCheck {
  result: SnmpV3UserResult;
  system?: V3GetResult['system'];
}

type Snmp = typeof NetSnmp;

let loading: Promise<Snmp> | undefined;

/**
 * net-snmp is loaded on first use: most scans have no v3 user, and the library costs every scan thread
 * a noticeable part of its start-up. The SNMP plugin's `prepare` calls this before a scan that has users.
 */
export function loadNetSnmp(): Promise<Snmp> {
  loading ??= import('net-snmp').then((m) => m.default);
  return loading;
}

function protocolsOf(snmp: Snmp) {
  const auth: Record<SnmpV3AuthProtocol, NetSnmp.AuthProtocols> = {
    md5: snmp.AuthProtocols.md5,
    sha: snmp.AuthProtocols.sha,
    sha224: snmp.AuthProtocols.sha224,
    sha256: snmp.AuthProtocols.sha256,
    sha384: snmp.AuthProtocols.sha384,
    sha512: snmp.AuthProtocols.sha512,
  };
  const priv: Record<SnmpV3PrivProtocol, NetSnmp.PrivProtocols> = {
    des: snmp.PrivProtocols.des,
    aes: snmp.PrivProtocols.aes,
    aes256b: snmp.PrivProtocols.aes256b,
    aes256r: snmp.PrivProtocols.aes256r,
  };
  const level = {
    noAuthNoPriv: snmp.SecurityLevel.noAuthNoPriv,
    authNoPriv: snmp.SecurityLevel.authNoPriv,
    authPriv: snmp.SecurityLevel.authPriv,
  } as const;
  return { auth, priv, level };
}

/** net-snmp reports a USM Report PDU by the counter's description (its UsmStats table). */
const USM_REPORTS: Record<string, SnmpV3Outcome> = {
  'Unsupported Security Level': 'unsupported-security-level',
  'Not In Time Window': 'not-in-time-window',
  'Unknown User Name': 'unknown-user',
  'Wrong Digest': 'wrong-digest',
  'Decryption Error': 'decryption-error',
};

const OIDS = [SYSTEM_OIDS.sysDescr, SYSTEM_OIDS.sysName, SYSTEM_OIDS.sysObjectID];
/** SNMPv2 error-status authorizationError (RFC 3416). */
const AUTHORIZATION_ERROR = 16;

export function classifyError(e: Error & { status?: number }): SnmpV3Outcome {
  if (e.name === 'RequestTimedOutError') return 'no-response';
  if (e.name === 'RequestFailedError')
    return e.status === AUTHORIZATION_ERROR ? 'authorization-error' : 'error';
  if (e.name === 'ResponseInvalidError') {
    const report = Object.keys(USM_REPORTS).find((k) => e.message.startsWith(k));
    return report ? USM_REPORTS[report]! : 'error';
  }
  return 'error';
}

function systemOf(snmp: Snmp, varbinds: readonly NetSnmp.Varbind[]): V3GetResult['system'] {
  const out: NonNullable<V3GetResult['system']> = {};
  for (const vb of varbinds) {
    if (snmp.isVarbindError(vb)) continue;
    const v = vb.value as unknown;
    if (vb.oid === SYSTEM_OIDS.sysDescr && Buffer.isBuffer(v)) out.sysDescr = v.toString('utf8');
    if (vb.oid === SYSTEM_OIDS.sysName && Buffer.isBuffer(v)) out.sysName = v.toString('utf8');
    if (vb.oid === SYSTEM_OIDS.sysObjectID && typeof v === 'string') out.sysObjectID = v;
  }
  return out;
}

/** One get of the system group as `user`, settled by `deadlineMs` at the latest (then `no-response`). */
function v3Get(snmp: Snmp, target: V3Target, user: NetSnmp.User, deadlineMs: number): Promise<V3GetResult> {
  if (user.privProtocol === snmp.PrivProtocols.des) ensureDesPrivacy(snmp);
  if (target.signal.aborted || deadlineMs <= 0) return Promise.resolve({ outcome: 'no-response' });
  return new Promise((resolve) => {
    let session: NetSnmp.Session | undefined;
    const settle = (r: V3GetResult): void => {
      clearTimeout(timer);
      target.signal.removeEventListener('abort', onAbort);
      try {
        session?.close();
      } catch {
        // already closed
      }
      session = undefined;
      resolve(r);
    };
    const onAbort = (): void => settle({ outcome: 'no-response' });
    const timer = setTimeout(onAbort, deadlineMs);
    target.signal.addEventListener('abort', onAbort, { once: true });
    try {
      session = snmp.createV3Session(target.address, user, {
        port: target.port,
        transport: isIPv6(target.address) ? 'udp6' : 'udp4',
        // Discovery and the get are two exchanges, each with one resend, within the deadline.
        timeout: Math.max(50, Math.floor(deadlineMs / 4)),
        retries: 1,
        ...(target.sourcePort !== undefined ? { sourcePort: target.sourcePort } : {}),
      });
      session.on('error', () => settle({ outcome: 'error' }));
      session.get(OIDS, (err, varbinds) => {
        if (err) return settle({ outcome: classifyError(err) });
        settle({ outcome: 'accepted', system: systemOf(snmp, varbinds ?? []) });
      });
    } catch {
      // A socket that cannot bind (a taken -sp port) or a bad option: no exchange took place.
      settle({ outcome: 'error' });
    }
  });
}

function netSnmpUser(snmp: Snmp, u: V3UserInput): NetSnmp.User {
  const { auth, priv, level } = protocolsOf(snmp);
  return {
    name: u.user,
    level: level[snmpV3Level(u)],
    ...(u.authProtocol ? { authProtocol: auth[u.authProtocol], authKey: u.authKey } : {}),
    ...(u.privProtocol ? { privProtocol: priv[u.privProtocol], privKey: u.privKey } : {}),
  };
}

async function checkUser(
  snmp: Snmp,
  target: V3Target,
  u: V3UserInput,
  deadlineMs: number,
): Promise<V3UserCheck> {
  const level = snmpV3Level(u);
  const configured = v3Get(snmp, target, netSnmpUser(snmp, u), deadlineMs);
  // With a fixed source port the two gets cannot share the port at once.
  if (target.sourcePort !== undefined) await configured;
  const noAuth =
    level === 'noAuthNoPriv'
      ? undefined
      : v3Get(snmp, target, { name: u.user, level: snmp.SecurityLevel.noAuthNoPriv }, deadlineMs);
  const [main, bare] = await Promise.all([configured, noAuth]);
  return {
    result: {
      user: u.user,
      ...(u.credential !== undefined ? { credential: u.credential } : {}),
      level,
      ...(u.authProtocol ? { authProtocol: u.authProtocol } : {}),
      ...(u.privProtocol ? { privProtocol: u.privProtocol } : {}),
      outcome: main.outcome,
      // Silence to the bare get says nothing about whether it would be allowed.
      ...(bare && bare.outcome !== 'no-response' ? { noAuthAccepted: bare.outcome === 'accepted' } : {}),
    },
    ...(main.system ? { system: main.system } : bare?.system ? { system: bare.system } : {}),
  };
}

/** Every user, in order; concurrently unless a source port is fixed. Settles by `deadlineMs`. */
export async function checkV3Users(
  target: V3Target,
  users: readonly V3UserInput[],
  deadlineMs: number,
): Promise<V3UserCheck[]> {
  const end = performance.now() + deadlineMs;
  const snmp = await loadNetSnmp();
  if (target.sourcePort === undefined)
    return Promise.all(users.map((u) => checkUser(snmp, target, u, end - performance.now())));
  const out: V3UserCheck[] = [];
  for (const u of users) out.push(await checkUser(snmp, target, u, (end - performance.now()) / 2));
  return out;
}
