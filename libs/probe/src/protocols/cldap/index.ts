/**
 * CLDAP (UDP 389), PortQry-style: an LDAP rootDSE search over UDP, the way Active Directory domain
 * controllers answer it (no bind). Answer → LISTENING; ICMP port unreachable → NOT LISTENING; silence →
 * FILTERED. The rootDSE goes in the observation's `ldap` key (same shape as TCP 389's; the proto tells
 * them apart), so policy rules on LDAP data see CLDAP as well.
 */
import { randomInt } from 'node:crypto';

import type { Entry } from 'ldapts';

import { describeRootDse, toRootDSE } from '../ldap/rootdse.js';
import type { ProtocolContext, ProtocolPlugin, ProtocolResult } from '../plugin.js';
import { exchange, type ExchangeOutcome } from './cldap-client.js';
import { type CldapAnswer, encodeRootDseSearch } from './message.js';

export { decodeCldapDatagram, encodeRootDseSearch, type CldapAnswer } from './message.js';
export { exchange } from './cldap-client.js';

type CldapResult = ProtocolResult & { answered: boolean };

/** The decoded entry as the shape ldapts gives the TCP plugin, so both share one value formatter. */
function asEntry(answer: CldapAnswer): Entry | undefined {
  const e = answer.entries[0];
  if (!e) return undefined;
  const entry: Entry = { dn: e.dn };
  for (const a of e.attributes)
    entry[a.type] = [...((entry[a.type] as Buffer[] | undefined) ?? []), ...a.values];
  return entry;
}

export function toResult(o: ExchangeOutcome): CldapResult {
  if (o.end === 'refused')
    return { status: 'connection-refused', answered: false, detail: 'ICMP port unreachable' };
  if (o.end === 'socket-error')
    return {
      status: 'application-error',
      answered: false,
      detail: `socket error ${o.errorCode ?? ''}`.trim(),
    };
  const answer = o.answer;
  if (!answer) {
    if (o.malformed > 0)
      return {
        status: 'protocol-error',
        answered: true,
        detail: `answer is not CLDAP: ${o.malformedReason}`,
      };
    if (o.unmatched > 0)
      return { status: 'protocol-error', answered: true, detail: 'answer carried another LDAP message id' };
    return {
      status: 'io-timeout',
      answered: false,
      detail:
        o.end === 'aborted' ? 'CLDAP query aborted' : `no CLDAP answer within ${Math.round(o.listenedMs)} ms`,
    };
  }
  const entry = asEntry(answer);
  if (!entry) {
    const code = answer.done?.resultCode;
    return {
      status: 'application-error',
      answered: true,
      detail: `no rootDSE entry (LDAP result ${code ?? 'missing'}${answer.done?.diagnosticMessage ? `: ${answer.done.diagnosticMessage}` : ''})`,
    };
  }
  const rootDSE = toRootDSE(entry);
  const contexts = rootDSE.namingContexts ?? rootDSE.defaultNamingContext ?? [];
  return {
    status: 'success',
    answered: true,
    detail: `rootDSE with ${Object.keys(rootDSE).length} attributes over UDP`,
    evidence: (contexts.length
      ? `namingContexts=${contexts.join(';')}`
      : `supportedLDAPVersion=${(rootDSE.supportedLDAPVersion ?? []).join(',')}`
    ).slice(0, 300),
    data: { ldap: { rootDSE } },
  };
}

async function query(ctx: ProtocolContext): Promise<CldapResult> {
  try {
    const messageId = randomInt(1, 0x7fffffff);
    const outcome = await exchange({ ctx, request: encodeRootDseSearch({ messageId }), messageId });
    return toResult(outcome);
  } catch {
    return { status: 'application-error', answered: false, detail: 'internal error in the CLDAP query' };
  }
}

export const cldapPlugin: ProtocolPlugin = {
  name: 'cldap',
  ports: { udp: [389] },
  query,
  describe: describeRootDse('LDAP query'),
};
