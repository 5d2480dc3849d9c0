import {
  type LocalSocket,
  type Observation,
  type Proto,
  snmpV3Authenticated,
  type SnmpV3UserResult,
} from '@fleetqry/contracts';

import type { CompiledRule } from './compile.js';
import { type HostViewIndex, isWildcardBind } from './host-view.js';

/**
 * One evaluator per rule type. Each looks at one observation (one port of one host) and returns the
 * violations it proves: a subject (part of the finding key; empty when the port itself is the
 * subject) and evidence made only of observed fields. An evaluator never fires on data that was not
 * observed: no SNMP data → no SNMP finding, no `Server:` → no banner finding.
 */
interface Violation {
  subject: string;
  evidence: Record<string, unknown>;
}

/** What an evaluator may consult besides the observation: the host views, for the host view rules. */
interface EvaluationContext {
  hostViews: HostViewIndex;
}

type Evaluator = (rule: CompiledRule, obs: Observation, context: EvaluationContext) => Violation[];

/** The fields that place evidence: where it was seen and in which state. */
function where(obs: Observation): Record<string, unknown> {
  return {
    port: obs.port,
    proto: obs.proto,
    state: obs.state,
    ...(obs.service !== undefined ? { service: obs.service } : {}),
  };
}

function withCheck(rule: CompiledRule, evidence: Record<string, unknown>): Record<string, unknown> {
  return rule.rule.check === undefined ? evidence : { ...evidence, check: rule.rule.check };
}

function definedOnly(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const snmpCommunity: Evaluator = ({ rule }, obs) => {
  if (rule.type !== 'snmp-community' || !obs.snmp) return [];
  const wanted = new Set(rule.communities ?? []);
  const out: Violation[] = [];
  for (const community of new Set(obs.snmp.communities)) {
    const hit = community === '' ? rule.empty === true : wanted.has(community);
    if (!hit) continue;
    out.push({
      subject: `community=${community}`,
      evidence: definedOnly({
        ...where(obs),
        // Only the subject community: other accepted communities may be secrets.
        communities: [community],
        versions: obs.snmp.versions?.[community],
        sysDescr: obs.snmp.sysDescr,
        sysName: obs.snmp.sysName,
        sysObjectID: obs.snmp.sysObjectID,
      }),
    });
  }
  return out;
};

const snmpVersion: Evaluator = ({ rule }, obs) => {
  if (rule.type !== 'snmp-version-requires-v3' || !obs.snmp || obs.snmp.communities.length === 0) return [];
  const forbidden = new Set(rule.versions);
  const recorded = obs.snmp.versions;
  let answered: string[];
  if (recorded) {
    const all = new Set(obs.snmp.communities.flatMap((c) => recorded[c] ?? []));
    answered = [...all].filter((v) => forbidden.has(v)).sort();
    if (answered.length === 0) return [];
  } else {
    // fleetqry speaks only v1 and v2c, so an answer proves one of them; which one was not recorded.
    if (!(forbidden.has('v1') && forbidden.has('v2c'))) return [];
    answered = ['v1-or-v2c'];
  }
  return [
    {
      subject: '',
      evidence: definedOnly({
        ...where(obs),
        versions: answered,
        // A count, not the names: the communities are credentials and not this rule's subject.
        acceptedCommunities: obs.snmp.communities.length,
        sysDescr: obs.snmp.sysDescr,
        sysName: obs.snmp.sysName,
      }),
    },
  ];
};

/**
 * What the agent accepted from one configured v3 user, as the rule's criteria: the level it let the
 * user in at without keys or with the credential's own level, and the protocols of an authenticated
 * exchange. Only what the credential actually used successfully counts: a user the agent refused
 * (wrong key, unknown user, silence) proves nothing about the agent's settings.
 */
function v3Weaknesses(
  rule: Extract<CompiledRule['rule'], { type: 'snmp-v3-security' }>,
  u: SnmpV3UserResult,
): string[] {
  const out: string[] = [];
  const levels = new Set<string>(rule.levels ?? []);
  const noAuth = u.noAuthAccepted === true || (u.level === 'noAuthNoPriv' && u.outcome === 'accepted');
  if (levels.has('noAuthNoPriv') && noAuth) out.push('level=noAuthNoPriv');
  const authenticated = snmpV3Authenticated(u);
  if (!authenticated) return out;
  if (u.level === 'authNoPriv' && levels.has('authNoPriv')) out.push('level=authNoPriv');
  if (u.authProtocol && rule.authProtocols?.includes(u.authProtocol)) out.push(`auth=${u.authProtocol}`);
  if (u.privProtocol && rule.privProtocols?.includes(u.privProtocol)) out.push(`priv=${u.privProtocol}`);
  return out;
}

const snmpV3Security: Evaluator = ({ rule }, obs) => {
  if (rule.type !== 'snmp-v3-security' || !obs.snmp?.v3Users) return [];
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const u of obs.snmp.v3Users) {
    const weaknesses = v3Weaknesses(rule, u);
    if (weaknesses.length === 0 || seen.has(u.user)) continue;
    seen.add(u.user);
    out.push({
      subject: `user=${u.user}`,
      evidence: definedOnly({
        ...where(obs),
        user: u.user,
        credential: u.credential,
        weaknesses,
        level: u.level,
        authProtocol: u.authProtocol,
        privProtocol: u.privProtocol,
        outcome: u.outcome,
        noAuthAccepted: u.noAuthAccepted,
        engineId: obs.snmp.engine?.engineId,
        sysName: obs.snmp.sysName,
        sysDescr: obs.snmp.sysDescr,
      }),
    });
  }
  return out;
};

const portForbidden: Evaluator = (compiled, obs) => {
  const { rule, ports } = compiled;
  if (rule.type !== 'port-forbidden' || !ports?.matches(obs.proto, obs.port)) return [];
  if (!rule.states.includes(obs.state)) return [];
  return [
    {
      subject: '',
      evidence: withCheck(
        compiled,
        definedOnly({ ...where(obs), reason: obs.reason, forbidden: ports.text, banner: obs.banner }),
      ),
    },
  ];
};

const portRequired: Evaluator = (compiled, obs) => {
  const { rule, ports } = compiled;
  // Only ports that were probed have an observation, so "required but not probed" never fires.
  if (rule.type !== 'port-required' || !ports?.matches(obs.proto, obs.port)) return [];
  if (rule.acceptStates.includes(obs.state)) return [];
  return [
    {
      subject: '',
      evidence: withCheck(compiled, { ...where(obs), reason: obs.reason, required: ports.text }),
    },
  ];
};

const bannerMatch: Evaluator = (compiled, obs) => {
  const { rule, ports, pattern } = compiled;
  if (rule.type !== 'banner-match' || !pattern) return [];
  if (ports && !ports.matches(obs.proto, obs.port)) return [];
  const server = obs.http?.server;
  let source: 'http-server' | 'banner';
  let value: string | undefined;
  if (rule.source === 'http-server' || (rule.source === 'any' && server !== undefined)) {
    source = 'http-server';
    value = server;
  } else {
    source = 'banner';
    value = obs.banner;
  }
  if (value === undefined) return [];
  const must = rule.mustMatch !== undefined;
  if (pattern.test(value) === must) return [];
  const patternField = must ? 'mustMatch' : 'mustNotMatch';
  return [
    {
      subject: rule.check ?? `${patternField}=${pattern.source}`,
      evidence: withCheck(compiled, {
        ...where(obs),
        source,
        value,
        [patternField]: pattern.source,
        ...(pattern.ignoreCase ? { ignoreCase: true } : {}),
      }),
    },
  ];
};

const ftpAnonymous: Evaluator = ({ rule }, obs) => {
  if (rule.type !== 'ftp-anonymous' || obs.ftp?.anonymousLogin !== true) return [];
  return [
    {
      subject: '',
      evidence: definedOnly({
        ...where(obs),
        anonymousLogin: true,
        loginReply: obs.ftp.loginReply,
        banner: obs.banner,
      }),
    },
  ];
};

/** rootDSE attributes worth showing; the attribute names prove the read, these values identify the server. */
const ROOTDSE_SHOWN = [
  'defaultNamingContext',
  'dnsHostName',
  'namingContexts',
  'serverName',
  'supportedLDAPVersion',
  'vendorName',
  'vendorVersion',
];
const MAX_VALUES_PER_ATTRIBUTE = 5;

const ldapAnonymousRootDse: Evaluator = ({ rule }, obs) => {
  if (rule.type !== 'ldap-anonymous-rootdse' || !obs.ldap) return [];
  const attrs = obs.ldap.rootDSE;
  const names = Object.keys(attrs).sort();
  if (names.length === 0) return [];
  const shown: Record<string, string[]> = {};
  for (const name of ROOTDSE_SHOWN) {
    const values = attrs[name];
    if (values && values.length > 0) shown[name] = values.slice(0, MAX_VALUES_PER_ATTRIBUTE);
  }
  return [{ subject: '', evidence: { ...where(obs), attributes: names, rootDSE: shown } }];
};

/** Bindings listed per finding: enough to act on, bounded for a server that registers thousands. */
const MAX_BINDINGS = 20;

/**
 * One finding per listed interface per endpoint mapper (subject `uuid=<uuid>`), however many
 * bindings it has; evidence lists them. A walk that stopped early (`complete: false`) still proves
 * what it listed; it is marked so absence elsewhere is not read as proof.
 */
const rpcInterfaceExposed: Evaluator = (compiled, obs) => {
  const { rule, pattern } = compiled;
  if (rule.type !== 'rpc-interface-exposed' || !obs.rpc) return [];
  const uuids = rule.uuids ? new Set(rule.uuids) : undefined;
  const protocols = rule.protocols ? new Set(rule.protocols) : undefined;
  const byUuid = new Map<string, typeof obs.rpc.endpoints>();
  for (const e of obs.rpc.endpoints) {
    const uuid = e.uuid.toLowerCase();
    if (uuids && !uuids.has(uuid)) continue;
    if (protocols && !protocols.has(e.protocol)) continue;
    if (pattern && !pattern.test(e.annotation)) continue;
    byUuid.set(uuid, [...(byUuid.get(uuid) ?? []), e]);
  }
  return [...byUuid.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([uuid, endpoints]) => ({
      subject: `uuid=${uuid}`,
      evidence: withCheck(
        compiled,
        definedOnly({
          ...where(obs),
          uuid,
          annotation: endpoints.find((e) => e.annotation)?.annotation,
          bindings: endpoints.slice(0, MAX_BINDINGS).map((e) => e.binding),
          endpointCount: endpoints.length,
          ...(obs.rpc!.complete ? {} : { complete: false }),
          ...(pattern ? { annotationPattern: pattern.source } : {}),
        }),
      ),
    }));
};

/** The owner of a listener as evidence: only what the host view recorded. */
function ownerEvidence(s: LocalSocket): Record<string, unknown> {
  return definedOnly({
    process: s.process ?? undefined,
    pid: s.pid ?? undefined,
    unit: s.unit,
    container: s.container,
    user: s.user,
    bindAddress: s.localAddress,
  });
}

/** IPv4 wildcard before IPv6, then by owner pid: the evidence names one listener deterministically. */
function compareListeners(a: LocalSocket, b: LocalSocket): number {
  return a.family.localeCompare(b.family) || (a.pid ?? Infinity) - (b.pid ?? Infinity);
}

/**
 * The host binds the port on every interface (0.0.0.0 / ::) and the network saw it filtered: either the
 * service binds wider than it needs or a firewall is the only thing hiding it. One finding per port.
 */
const listeningAllInterfacesButFiltered: Evaluator = (compiled, obs, { hostViews }) => {
  const { rule, ports } = compiled;
  if (rule.type !== 'listening-all-interfaces-but-filtered') return [];
  if (ports && !ports.matches(obs.proto, obs.port)) return [];
  if (!rule.states.includes(obs.state)) return [];
  const found = hostViews.listeners(obs.address, obs.proto, obs.port);
  if (!found) return [];
  const wildcard = found.sockets.filter((s) => isWildcardBind(s.localAddress)).sort(compareListeners);
  const first = wildcard[0];
  if (!first) return [];
  return [
    {
      subject: '',
      evidence: withCheck(
        compiled,
        definedOnly({
          ...where(obs),
          observedState: obs.state,
          reason: obs.reason,
          ...ownerEvidence(first),
          bindAddresses: [...new Set(wildcard.map((s) => s.localAddress))],
          hostname: found.view.hostname,
          hostViewTakenAt: found.view.takenAt,
        }),
      ),
    },
  ];
};

/**
 * A port reachable from the network (LISTENING by default) whose owner, per the host view, is not among the
 * rule's expected owners for that port. An owner the agent could not see (no process) proves nothing: no
 * finding. One finding per unexpected owner (subject `owner=<process>`).
 */
const unexpectedOwner: Evaluator = (compiled, obs, { hostViews }) => {
  const { rule, owners } = compiled;
  if (rule.type !== 'unexpected-owner' || !owners) return [];
  if (!rule.states.includes(obs.state)) return [];
  const allowed = owners.allowed(obs.proto, obs.port);
  if (!allowed) return [];
  const found = hostViews.listeners(obs.address, obs.proto, obs.port);
  if (!found) return [];
  const ok = new Set(allowed.owners);
  const byOwner = new Map<string, LocalSocket>();
  for (const s of [...found.sockets].sort(compareListeners)) {
    if (s.process === null) continue;
    if (ok.has(s.process) || (s.unit !== undefined && ok.has(s.unit))) continue;
    if (!byOwner.has(s.process)) byOwner.set(s.process, s);
  }
  return [...byOwner.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([process, s]) => ({
      subject: `owner=${process}`,
      evidence: withCheck(
        compiled,
        definedOnly({
          ...where(obs),
          ...ownerEvidence(s),
          expectedOwners: allowed.owners,
          expected: allowed.spec,
          hostname: found.view.hostname,
          hostViewTakenAt: found.view.takenAt,
        }),
      ),
    }));
};

export const EVALUATORS: Readonly<Record<CompiledRule['rule']['type'], Evaluator>> = {
  'snmp-community': snmpCommunity,
  'snmp-version-requires-v3': snmpVersion,
  'snmp-v3-security': snmpV3Security,
  'port-forbidden': portForbidden,
  'port-required': portRequired,
  'banner-match': bannerMatch,
  'ftp-anonymous': ftpAnonymous,
  'ldap-anonymous-rootdse': ldapAnonymousRootDse,
  'rpc-interface-exposed': rpcInterfaceExposed,
  'listening-all-interfaces-but-filtered': listeningAllInterfacesButFiltered,
  'unexpected-owner': unexpectedOwner,
};

/** Which plain closed ports (NOT LISTENING, nothing else observed) a rule could fire on. */
type ClosedInterest = (rule: CompiledRule) => ((proto: Proto, port: number) => boolean) | 'none' | 'all';

const CLOSED = 'NOT LISTENING';
const noClosed: ClosedInterest = () => 'none';
const portsIf =
  (fires: (rule: CompiledRule) => boolean): ClosedInterest =>
  (rule) =>
    !fires(rule) ? 'none' : rule.ports ? (proto, port) => rule.ports!.matches(proto, port) : 'all';

/**
 * Per rule type, whether a plain closed port can prove a violation. Data-bound rules (SNMP, banners, LDAP,
 * FTP, RPC) never can. Keeping this next to EVALUATORS, with the same keys, makes a new rule type declare it.
 */
const CLOSED_INTEREST: Readonly<Record<CompiledRule['rule']['type'], ClosedInterest>> = {
  'snmp-community': noClosed,
  'snmp-version-requires-v3': noClosed,
  'snmp-v3-security': noClosed,
  'port-forbidden': portsIf(({ rule }) => rule.type === 'port-forbidden' && rule.states.includes(CLOSED)),
  'port-required': portsIf(
    ({ rule }) => rule.type === 'port-required' && !rule.acceptStates.includes(CLOSED),
  ),
  'banner-match': noClosed,
  'ftp-anonymous': noClosed,
  'ldap-anonymous-rootdse': noClosed,
  'rpc-interface-exposed': noClosed,
  'listening-all-interfaces-but-filtered': portsIf(
    ({ rule }) => rule.type === 'listening-all-interfaces-but-filtered' && rule.states.includes(CLOSED),
  ),
  'unexpected-owner': (c) =>
    c.rule.type === 'unexpected-owner' && c.rule.states.includes(CLOSED)
      ? (proto, port) => c.owners?.allowed(proto, port) !== undefined
      : 'none',
};

/**
 * The closed ports a policy needs to see, as a predicate, or undefined when no rule can fire on one: stores
 * that keep closed ports as coverage ranges expand only these into observations for `evaluate` (usually
 * none, or a rule's few required ports).
 */
export function closedPortFilter(
  rules: readonly CompiledRule[],
): ((proto: Proto, port: number) => boolean) | undefined {
  const tests: ((proto: Proto, port: number) => boolean)[] = [];
  for (const rule of rules) {
    const interest = CLOSED_INTEREST[rule.rule.type](rule);
    if (interest === 'all') return () => true;
    if (interest !== 'none') tests.push(interest);
  }
  return tests.length === 0 ? undefined : (proto, port) => tests.some((t) => t(proto, port));
}
