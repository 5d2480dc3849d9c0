import {
  credentialLabel,
  isWellKnownCommunity,
  SnmpV3KeysSchema,
  type CredentialSecretResponse,
  type Observation,
  type SnmpV3User,
} from '@fleetqry/contracts';

/** A chunk's SNMP credentials, opened: what the probe tries, and the labels results carry instead. */
export interface SnmpSecrets {
  communities: string[];
  v3Users: (SnmpV3User & { credential: string })[];
  /** community → `credential:<id>`, for the communities that must not leave the worker. */
  labels: Map<string, string>;
}

/**
 * Splits opened credentials by kind. Vendor-default communities stay literal (findings fire on them by
 * name); every other community that came from a stored credential leaves the worker as `credential:<id>`:
 * results cross Redis and land in Postgres, where a secret must only exist encrypted. A v3 user's keys never
 * reach a result at all; its results name the user and `credential:<id>`.
 */
export function snmpSecrets(
  ids: readonly string[],
  opened: readonly CredentialSecretResponse[],
): SnmpSecrets {
  const out: SnmpSecrets = { communities: [], v3Users: [], labels: new Map() };
  ids.forEach((id, i) => {
    const c = opened[i]!;
    if (c.kind === 'snmp-v3-user') {
      const keys = SnmpV3KeysSchema.safeParse(parseJson(c.secret));
      // Never the parse error: it could quote the secret.
      if (!keys.success || !c.principal) throw new Error(`credential ${id}: not a valid SNMPv3 user`);
      out.v3Users.push({ user: c.principal, ...keys.data, credential: credentialLabel(id) });
      return;
    }
    out.communities.push(c.secret);
    if (!isWellKnownCommunity(c.secret) && !out.labels.has(c.secret))
      out.labels.set(c.secret, credentialLabel(id));
  });
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
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
