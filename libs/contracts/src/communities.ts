/**
 * SNMP communities that are published vendor defaults, not secrets (baseline's snmp.community.public,
 * .private and .empty look for them by name): they stay literal in results, findings and output. Every
 * other community is a secret: shown as `credential:<id>` when it came from a stored credential, or
 * masked.
 */
const WELL_KNOWN_COMMUNITIES: ReadonlySet<string> = new Set(['public', 'private', '']);

export function isWellKnownCommunity(community: string): boolean {
  return WELL_KNOWN_COMMUNITIES.has(community);
}

/** How a stored credential's community appears in results: its id, never the secret. */
export function credentialLabel(id: string): string {
  return `credential:${id}`;
}

const CREDENTIAL_LABEL = /^credential:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a person sees of a community (text, CSV, PortQry lines). */
export const MASKED_COMMUNITY = '*****';

/**
 * A community as output for people shows it: a vendor default or a credential label as it is, any other
 * community (one given on a command line or in a file) masked.
 */
export function shownCommunity(community: string): string {
  return isWellKnownCommunity(community) || CREDENTIAL_LABEL.test(community) ? community : MASKED_COMMUNITY;
}
