import { isWellKnownCommunity, type Observation } from '@fleetqry/contracts';

/**
 * Vendor-default communities stay literal (findings fire on them by name); every other community that
 * came from a stored credential leaves the worker as `credential:<id>`: results cross Redis and land in
 * Postgres, where a secret must only exist encrypted.
 */
/** secret → label, for the communities that must not leave the worker. */
export function communityLabels(ids: readonly string[], secrets: readonly string[]): Map<string, string> {
  const labels = new Map<string, string>();
  ids.forEach((id, i) => {
    const secret = secrets[i]!;
    if (!isWellKnownCommunity(secret) && !labels.has(secret)) labels.set(secret, `credential:${id}`);
  });
  return labels;
}

export function redactObservation(o: Observation, labels: ReadonlyMap<string, string>): Observation {
  if (!o.snmp || labels.size === 0) return o;
  const label = (c: string) => labels.get(c) ?? c;
  const { versions, communities } = o.snmp;
  return {
    ...o,
    snmp: {
      ...o.snmp,
      communities: communities.map(label),
      ...(versions
        ? { versions: Object.fromEntries(Object.entries(versions).map(([c, v]) => [label(c), v])) }
        : {}),
    },
  };
}
