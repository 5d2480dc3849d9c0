/**
 * Community validation. Messages never echo the community: it is a credential, and a typo'd one is
 * usually one character away from the real one.
 */

/** RFC 3584 allows 0..255 octets; an empty one cannot be a deliberate credential. */
const MAX_COMMUNITY_BYTES = 255;
/** Each community costs two datagrams per host (v1 + v2c); cap the fan-out of one query. */
const MAX_COMMUNITIES = 256;

// C0 controls, DEL and C1 controls: they break logs and terminals and are never in real communities.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Returns why `community` is unusable, or undefined when it is fine. The reason never contains it. */
export function validateCommunity(community: string): string | undefined {
  if (typeof community !== 'string' || community.length === 0) return 'community is empty';
  const bytes = Buffer.byteLength(community, 'utf8');
  if (bytes > MAX_COMMUNITY_BYTES) return `community is ${bytes} bytes long (maximum ${MAX_COMMUNITY_BYTES})`;
  if (CONTROL.test(community)) return 'community contains a control character';
  return undefined;
}

/** Validates a list; the error names the position (1-based), never the value. */
export function validateCommunities(communities: readonly string[]): string | undefined {
  if (communities.length === 0) return 'no SNMP community configured';
  if (communities.length > MAX_COMMUNITIES)
    return `${communities.length} SNMP communities configured (maximum ${MAX_COMMUNITIES})`;
  for (let i = 0; i < communities.length; i++) {
    const problem = validateCommunity(communities[i]!);
    if (problem) return `SNMP community #${i + 1}: ${problem}`;
  }
  return undefined;
}
