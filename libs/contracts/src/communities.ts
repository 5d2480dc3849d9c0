/**
 * SNMP communities that are published vendor defaults, not secrets (baseline's snmp.community.public,
 * .private and .empty look for them by name): they stay literal in results, findings and output. Every
 * other community is a secret: shown as `credential:<id>` when it came from a stored credential, or
 * masked.
 */
export const WELL_KNOWN_COMMUNITIES: ReadonlySet<string> = new Set(['public', 'private', '']);

export function isWellKnownCommunity(community: string): boolean {
  return WELL_KNOWN_COMMUNITIES.has(community);
}
