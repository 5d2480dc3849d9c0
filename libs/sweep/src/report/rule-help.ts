import type { ReportRule } from '@fleetqry/contracts';
import { ruleTypeDescription, type RuleType } from '@fleetqry/policy';

/**
 * The rule reference (docs/rules.md in the fleetqry repository): SARIF's helpUri must be an absolute URI,
 * so reports link to the published file; each rule type has a section whose anchor is the type's name.
 */
export const RULES_DOC_URL = 'https://github.com/fleetqry/fleetqry/blob/main/docs/rules.md';

/** What to do about a finding of each rule type (the docs say more). */
const REMEDY: Record<RuleType, string> = {
  'snmp-community':
    'Remove or rename the community on the agent (or move to SNMPv3 with authPriv), and restrict UDP 161 to the management network.',
  'snmp-version-requires-v3':
    'Disable SNMPv1/v2c on the agent (no community at all) and serve SNMPv3 with authentication and privacy only.',
  'snmp-v3-security':
    'Configure the agent to accept the user at authPriv only, with SHA-2 authentication (RFC 7860) and AES privacy; remove users that need less.',
  'port-forbidden':
    'Stop and disable the service on that port, or block the port at the host and network firewalls.',
  'port-required':
    'Start the service the host is tagged for, or fix the firewall that hides it; if the host no longer has that role, update its tags in the inventory.',
  'banner-match':
    'Check that the host runs the software its tags say; fix the inventory tags or replace the service.',
  'ftp-anonymous': 'Disable anonymous logins on the FTP server (or replace FTP with SFTP).',
  'ldap-anonymous-rootdse':
    'Expected on domain controllers (tag them dc); elsewhere, disable anonymous binds or stop the directory server.',
  'rpc-interface-exposed':
    'Disable the RPC service behind the interface, or block the endpoint mapper (TCP 135) and the dynamic RPC ports at the firewall.',
  'listening-all-interfaces-but-filtered':
    'Bind the service to the interfaces it must serve only (e.g. 127.0.0.1) instead of relying on the firewall.',
  'unexpected-owner':
    'Find out why that process owns the port (a replaced or rogue service); stop it, or add the owner to expectedOwners if it is legitimate.',
};

export interface RuleHelp {
  fullDescription: string;
  text: string;
  markdown: string;
  helpUri: string;
}

/** SARIF's fullDescription, help and helpUri for a rule; `title` is used when the run recorded no catalog. */
export function ruleHelp(id: string, rule: ReportRule | undefined, title: string): RuleHelp {
  const type = rule?.type;
  // A type this version does not know (a run recorded by another one) has no remedy and no section.
  const known = type !== undefined && Object.hasOwn(REMEDY, type) ? (type as RuleType) : undefined;
  const what = known ? ruleTypeDescription(known) : undefined;
  const remedy = known ? REMEDY[known] : undefined;
  const entries: { check?: string; title: string; description?: string }[] = rule?.entries ?? [{ title }];
  const lines = entries.map(
    (e) =>
      `${e.check ? `${e.check}: ` : ''}${sentence(e.title)}${e.description ? ` ${sentence(e.description)}` : ''}`,
  );
  const fullDescription = [...lines, what ? sentence(`Rule type ${type}: ${what}`) : ''].filter(Boolean);
  const helpUri = known ? `${RULES_DOC_URL}#${known}` : RULES_DOC_URL;
  const fix = remedy ?? 'See the rule reference.';
  const refs = rule?.references ?? [];
  return {
    fullDescription: fullDescription.join(' '),
    text: [...fullDescription, `Fix: ${fix}`, ...refs.map((r) => `Reference: ${r}`), `More: ${helpUri}`].join(
      '\n',
    ),
    markdown: [
      `**${id}**${type ? ` (\`${type}\`)` : ''}`,
      '',
      ...lines.map((l) => (lines.length > 1 ? `- ${l}` : l)),
      ...(what ? ['', `${what}.`] : []),
      '',
      `**Fix:** ${fix}`,
      ...(refs.length ? ['', `**References:** ${refs.join(', ')}`] : []),
      '',
      `[Rule reference](${helpUri})`,
    ].join('\n'),
    helpUri,
  };
}

/** The text ending with a full stop (titles have none; SARIF messages are sentences). */
export function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
