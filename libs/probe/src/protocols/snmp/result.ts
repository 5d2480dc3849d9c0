/**
 * Turns a sweep outcome into the plugin result. Pure, so every branch is unit-tested without sockets.
 * Communities appear only in `data.snmp.communities`/`versions`; detail and evidence carry counts and
 * agent data only.
 */
import { type SnmpData, snmpV3Authenticated } from '@fleetqry/contracts';

import { printableText } from '../common/printable.js';
import type { ProtocolResult } from '../plugin.js';
import { errorStatusName, SYSTEM_OIDS, type SnmpResponse, type SnmpVersion } from './message.js';
import type { SweepOutcome, SweepRequest } from './sweep.js';
import type { V3UserCheck } from './v3-user.js';
import { toEngineData } from './v3.js';

export type SnmpQueryResult = ProtocolResult & { answered: boolean };

const EVIDENCE_MAX = 200;

function systemValues(
  answers: readonly SnmpResponse[],
): Partial<Pick<SnmpData, 'sysDescr' | 'sysName' | 'sysObjectID'>> {
  const out: Partial<Pick<SnmpData, 'sysDescr' | 'sysName' | 'sysObjectID'>> = {};
  for (const m of answers) {
    for (const vb of m.varbinds) {
      if (vb.value === undefined) continue;
      const text = Buffer.isBuffer(vb.value) ? vb.value.toString('utf8') : vb.value;
      if (vb.oid === SYSTEM_OIDS.sysDescr && vb.type === 'OctetString')
        out.sysDescr ??= printableText(text, 1024);
      if (vb.oid === SYSTEM_OIDS.sysName && vb.type === 'OctetString')
        out.sysName ??= printableText(text, 255);
      if (vb.oid === SYSTEM_OIDS.sysObjectID && vb.type === 'OID') out.sysObjectID ??= text;
    }
  }
  return out;
}

function evidenceOf(data: SnmpData, answers: readonly SnmpResponse[]): string {
  if (data.sysDescr) return printableText(`sysDescr=${data.sysDescr}`, EVIDENCE_MAX);
  if (data.sysName) return printableText(`sysName=${data.sysName}`, EVIDENCE_MAX);
  if (data.sysObjectID) return `sysObjectID=${data.sysObjectID}`;
  const err = answers.find((m) => m.errorStatus !== 0);
  return err ? `SNMP response, error-status ${errorStatusName(err.errorStatus)}` : 'SNMP response';
}

/** The system group as a v3 user read it, for what the communities did not return. */
function v3SystemValues(
  checks: readonly V3UserCheck[],
): Partial<Pick<SnmpData, 'sysDescr' | 'sysName' | 'sysObjectID'>> {
  const out: Partial<Pick<SnmpData, 'sysDescr' | 'sysName' | 'sysObjectID'>> = {};
  for (const { system } of checks) {
    if (system?.sysDescr !== undefined) out.sysDescr ??= printableText(system.sysDescr, 1024);
    if (system?.sysName !== undefined) out.sysName ??= printableText(system.sysName, 255);
    if (system?.sysObjectID !== undefined) out.sysObjectID ??= system.sysObjectID;
  }
  return out;
}

export function buildResult(
  communities: readonly string[],
  requests: readonly SweepRequest[],
  outcome: SweepOutcome,
  v3: readonly V3UserCheck[] = [],
): SnmpQueryResult {
  const versions = new Map<string, Set<SnmpVersion>>();
  const answered: SnmpResponse[] = [];
  for (const req of requests) {
    const answer = outcome.answers.get(req.requestId);
    if (!answer) continue;
    answered.push(answer);
    const set = versions.get(req.community) ?? new Set<SnmpVersion>();
    set.add(req.version);
    versions.set(req.community, set);
  }
  const accepted = communities.filter((c) => versions.has(c));
  const snmp: SnmpData = {
    communities: accepted,
    versions: Object.fromEntries(
      accepted.map((c) => [c, (['v1', 'v2c'] as const).filter((v) => versions.get(c)!.has(v))]),
    ),
    rejectedCount: communities.length - accepted.length,
    ...v3SystemValues(v3),
    ...systemValues(answered),
    // Extra data: it never changes the status below (a rejected community stays rejected).
    ...(outcome.engine ? { engine: toEngineData(outcome.engine) } : {}),
    ...(v3.length ? { v3Users: v3.map((c) => c.result) } : {}),
  };
  // An authenticated Response (values, or authorizationError, as for a community's error-status) or values
  // to the bare user name are answers like an accepted community's; USM Reports are not (the agent sends
  // them to anyone, as it answers engine discovery).
  const v3Accepted = v3.filter((c) => snmpV3Authenticated(c.result)).length;
  const v3Answered = v3Accepted > 0 || v3.some((c) => c.result.noAuthAccepted === true);

  if (accepted.length > 0 || v3Answered) {
    const v3Detail = v3.length ? `; ${v3Accepted} of ${v3.length} SNMPv3 users accepted` : '';
    return {
      status: 'success',
      answered: true,
      detail: `${accepted.length} of ${communities.length} communities accepted${v3Detail}`,
      evidence: evidenceOf(snmp, answered),
      data: { snmp },
    };
  }
  if (outcome.malformed > 0 || outcome.unmatched > 0) {
    return {
      status: 'protocol-error',
      answered: true,
      detail:
        outcome.malformed > 0
          ? `reply is not a valid SNMP response: ${outcome.malformedReason ?? 'malformed'}`
          : 'SNMP reply matched none of the requests sent',
      data: { snmp },
    };
  }
  switch (outcome.end) {
    case 'refused':
      return { status: 'connection-refused', answered: false, detail: 'ICMP port unreachable' };
    case 'aborted':
      return {
        status: 'io-timeout',
        answered: false,
        detail: 'SNMP query aborted before any community was accepted',
      };
    case 'socket-error':
      return {
        status: 'io-timeout',
        answered: false,
        detail: `no SNMP answer (socket error ${outcome.errorCode ?? 'unknown'})`,
      };
    default:
      return {
        status: 'rejected',
        answered: false,
        detail: `no community accepted: no SNMP answer within ${Math.round(outcome.listenedMs)} ms`,
        data: { snmp },
      };
  }
}
