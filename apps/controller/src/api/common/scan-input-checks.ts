import type { ApiIssue } from '@fleetqry/contracts';
import { parsePortSpec, PortParseError, PROTOCOL_PLUGINS } from '@fleetqry/probe';
import { credentialKinds, type Store } from '@fleetqry/store';
import { z } from 'zod';

/**
 * Checks the API applies on save to what a scan will use, wherever it is written (inventories, their CSV
 * import, scan definitions): port specs as libs/probe parses them, protocol query names, and stored SNMP
 * credentials by id. Each issue names its field.
 */

/** A port spec for one protocol, or for both (`exclude`), as the planner will read it. */
export function portSpecIssue(text: string | undefined, path: string, proto?: 'tcp' | 'udp'): ApiIssue[] {
  if (!text) return [];
  try {
    const spec = parsePortSpec(text);
    if (proto) spec.forProto(proto);
    return [];
  } catch (e) {
    return [{ path, message: e instanceof PortParseError ? e.message : String(e) }];
  }
}

const KNOWN_CHECKS = new Set(PROTOCOL_PLUGINS.map((p) => p.name));

export function checkNameIssues(checks: readonly string[] | undefined, path: string): ApiIssue[] {
  return (checks ?? []).flatMap((name, i) =>
    KNOWN_CHECKS.has(name)
      ? []
      : [
          {
            path: `${path}[${i}]`,
            message: `unknown check "${name}" (known: ${[...KNOWN_CHECKS].join(', ')})`,
          },
        ],
  );
}

const Uuid = z.uuid();

/**
 * SNMP communities and v3 users are referenced by stored credential id: each must be a uuid (a value that
 * is not is refused without being echoed: it may be a community typed in the wrong field), exist, and be
 * an SNMP community or an SNMPv3 user.
 */
export async function snmpCredentialIssues(
  db: Store['prisma'],
  ids: readonly string[] | undefined,
  path: string,
): Promise<ApiIssue[]> {
  if (!ids?.length) return [];
  const issues: ApiIssue[] = [];
  const valid = ids.filter((id, i) => {
    const ok = Uuid.safeParse(id).success;
    if (!ok)
      issues.push({
        path: `${path}[${i}]`,
        message:
          'must be the id of a stored credential (POST /credentials); the value is not shown or stored',
      });
    return ok;
  });
  const kinds = await credentialKinds(db, valid);
  ids.forEach((id, i) => {
    if (!valid.includes(id)) return;
    const kind = kinds.get(id);
    if (!kind) issues.push({ path: `${path}[${i}]`, message: `no credential ${id}` });
    else if (kind !== 'snmp_community' && kind !== 'snmp_v3_user')
      issues.push({
        path: `${path}[${i}]`,
        message: `credential ${id} is not an SNMP community or SNMPv3 user`,
      });
  });
  return issues;
}
