import { parsePolicyYaml } from './parse.js';
import type { Policy } from './schema.js';

/**
 * The built-in `baseline` policy, embedded as YAML text so it ships inside the compiled library and
 * reads exactly like a user policy (`fleetqry sweep --policy baseline`, or copy it as a starting point).
 * Its rule ids are stable: reports, waivers and the API refer to them.
 */
export const BASELINE_POLICY_YAML = `# fleetqry built-in baseline policy.
apiVersion: fleetqry/v1
kind: Policy
metadata:
  name: baseline
  version: "1.0.0"
  description: >-
    Default and empty SNMP communities, SNMP v1/v2c where v3 is required, weak SNMPv3 users, cleartext remote logins,
    anonymous FTP, per-tag required ports and banners, anonymous LDAP rootDSE outside domain controllers.

rules:
  - id: snmp.community.public
    type: snmp-community
    severity: critical
    title: SNMP agent accepts the community "public"
    description: >-
      The agent answered a request made with the well-known default community "public": anyone who can
      reach UDP 161 can read its MIB (interfaces, routes, ARP table, software, often more).
    references: [CVE-1999-0517]
    communities: [public]

  - id: snmp.community.private
    type: snmp-community
    severity: high
    title: SNMP agent accepts the community "private"
    description: The agent answered the default read-write community "private".
    communities: [private]

  - id: snmp.community.empty
    type: snmp-community
    severity: high
    title: SNMP agent accepts an empty community
    references: [CVE-1999-0517]
    empty: true

  - id: snmp.v1v2c-where-v3-required
    type: snmp-version-requires-v3
    severity: high
    title: SNMP v1/v2c answers on a host that requires SNMPv3
    description: >-
      Hosts tagged snmpv3-required must not answer SNMPv1 or SNMPv2c (cleartext communities) at all.
    appliesTo: { tags: [snmpv3-required] }
    versions: [v1, v2c]

  # SNMPv3 (CIS: authPriv, SHA-2 authentication, AES privacy). These fire on configured v3 users only
  # (credentials or inventory snmp.v3Users), for what the agent accepted from them.
  - id: snmp.v3.noauth
    type: snmp-v3-security
    severity: high
    title: SNMPv3 agent answers a user without authentication (noAuthNoPriv)
    description: >-
      A get made with the user name alone, no keys, returned values: anyone who knows or guesses the user
      name reads the MIB, unauthenticated and in cleartext.
    levels: [noAuthNoPriv]

  - id: snmp.v3.no-privacy
    type: snmp-v3-security
    severity: medium
    title: SNMPv3 agent answers a user without privacy (authNoPriv)
    description: The agent accepted the user's authenticated requests unencrypted; CIS asks for authPriv.
    levels: [authNoPriv]

  - id: snmp.v3.auth-weak
    type: snmp-v3-security
    severity: medium
    title: SNMPv3 user authenticates with MD5 or SHA-1
    description: >-
      The agent accepted the user's HMAC-MD5-96 or HMAC-SHA-96 authentication (RFC 3414); use the SHA-2
      protocols of RFC 7860 (sha256 or stronger).
    authProtocols: [md5, sha]

  - id: snmp.v3.priv-des
    type: snmp-v3-security
    severity: medium
    title: SNMPv3 user's privacy is DES
    description: The agent accepted the user's DES-encrypted requests (56-bit key); use AES.
    privProtocols: [des]

  - id: telnet.listening
    type: port-forbidden
    severity: high
    title: Telnet is listening (TCP 23)
    description: Telnet sends credentials and sessions in cleartext; use SSH.
    ports: { tcp: 23 }

  - id: ftp.anonymous
    type: ftp-anonymous
    severity: high
    title: FTP server accepts anonymous logon
    description: USER anonymous was accepted (reply 230).

  # port.forbidden: conservative defaults; TCP 23 is reported by telnet.listening, not here.
  - id: port.forbidden
    check: r-services
    type: port-forbidden
    severity: medium
    title: BSD r-services listening (rexec/rlogin/rsh, TCP 512-514)
    ports: { tcp: "512-514" }

  - id: port.forbidden
    check: tftp
    type: port-forbidden
    severity: medium
    title: TFTP answering (UDP 69)
    description: >-
      Fires only when TFTP answered (LISTENING); UDP silence ("LISTENING or FILTERED") proves nothing.
    ports: { udp: 69 }

  # port.required: nothing fleet-wide; per-tag expectations. Fires only for ports that were probed.
  - id: port.required
    check: dns-server
    type: port-required
    severity: medium
    title: Host tagged dns does not answer DNS on UDP 53
    appliesTo: { tags: [dns] }
    ports: { udp: 53 }

  - id: banner.mismatch
    check: iis-http-server
    type: banner-match
    severity: medium
    title: Host tagged iis serves HTTP with a non-IIS Server header
    description: >-
      The inventory says IIS but the HTTP Server header on TCP 80/443 names something else (e.g. Apache
      or nginx): a masquerading or misinventoried web server.
    appliesTo: { tags: [iis] }
    source: http-server
    ports: { tcp: "80,443" }
    mustMatch: "^Microsoft-IIS(/|$)"

  - id: ldap.anonymous-rootdse
    type: ldap-anonymous-rootdse
    severity: info
    title: LDAP rootDSE readable anonymously on a host not tagged dc
    description: >-
      An LDAP server outside the domain controllers answers anonymous rootDSE reads (naming contexts,
      server identity). Expected on DCs, worth knowing elsewhere.
    appliesTo: { notTags: [dc] }
`;

let baseline: Policy | undefined;

/** The parsed baseline policy (validated once, then shared; treat it as read-only). */
export function baselinePolicy(): Policy {
  baseline ??= parsePolicyYaml(BASELINE_POLICY_YAML, 'built-in policy "baseline"');
  return baseline;
}

export const BUILTIN_POLICY_NAMES = ['baseline'] as const;

/** Returns a built-in policy by name, or undefined (the caller then treats the name as a file). */
export function builtinPolicy(name: string): Policy | undefined {
  return name === 'baseline' ? baselinePolicy() : undefined;
}
