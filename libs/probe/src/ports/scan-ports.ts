import { PortSet, type Proto } from '@fleetqry/contracts';

import { EmptyPortSelectionError } from './errors.js';
import { GroupCatalog } from './groups.js';
import { parsePortSpec } from './parse.js';
import { protosOf, type ProtocolChoice } from './protocol.js';

export interface ScanPorts {
  tcp: PortSet;
  udp: PortSet;
}

/** What to scan, as the CLI, API and scan definitions express it. */
export interface PortSelection {
  /**
   * PortQry `-p`. When set, it filters everything (groups included). When omitted, `ports` go to
   * TCP (PortQry's default) and groups keep their own protocols.
   */
  protocol?: ProtocolChoice;
  /** Fleet-form list (`1-1024,3389,ldap`) applied to each selected protocol. */
  ports?: string | PortSet;
  /** Per-protocol lists; they conflict with a `protocol` that excludes them. */
  tcp?: string | PortSet;
  udp?: string | PortSet;
  /** Service group names (built-in or user). */
  groups?: readonly string[];
  /** User exclusions, same syntax, applied to both protocols after everything is expanded. */
  excludePorts?: string | PortSet;
  /**
   * The configured default exclusions (the CLI config supplies them; the library hard-codes none).
   * Applied like `excludePorts`, reported separately.
   */
  defaultExcludedPorts?: string | PortSet;
}

export interface ScanPortsResult extends ScanPorts {
  /** Requested ports that exclusions removed, so callers can say so. */
  excluded: ScanPorts;
}

const PROTOS: readonly Proto[] = ['tcp', 'udp'];

function toSet(value: string | PortSet, proto: Proto, lenient: boolean): PortSet {
  return typeof value === 'string' ? parsePortSpec(value).forProto(proto, lenient) : value;
}

/** Exclusions hold for both protocols; a service name excludes its port wherever it has one. */
function exclusion(value: string | PortSet | undefined, proto: Proto): PortSet {
  return value === undefined ? PortSet.EMPTY : toSet(value, proto, true);
}

/**
 * Expand a port selection into per-protocol sets. Throws PortParseError, UnknownGroupError, or
 * EmptyPortSelectionError when nothing was requested or everything requested was excluded.
 */
export function resolveScanPorts(
  selection: PortSelection,
  catalog: GroupCatalog = GroupCatalog.builtin(),
): ScanPortsResult {
  const selected: readonly Proto[] = selection.protocol ? protosOf(selection.protocol) : PROTOS;
  const requested: Record<Proto, PortSet> = { tcp: PortSet.EMPTY, udp: PortSet.EMPTY };

  if (selection.ports !== undefined) {
    const protos = selection.protocol ? selected : (['tcp'] as const);
    // With `both`, a name defined on one protocol only (snmp) applies there only.
    for (const p of protos) requested[p] = requested[p].union(toSet(selection.ports, p, protos.length > 1));
  }
  for (const p of PROTOS) {
    const explicit = selection[p];
    if (explicit === undefined) continue;
    if (!selected.includes(p)) {
      throw new EmptyPortSelectionError(`${p} ports were given but protocol is ${selection.protocol}`);
    }
    requested[p] = requested[p].union(toSet(explicit, p, false));
  }
  for (const name of selection.groups ?? []) {
    const group = catalog.get(name);
    for (const p of selected) requested[p] = requested[p].union(group[p]);
  }
  if (requested.tcp.isEmpty && requested.udp.isEmpty) throw new EmptyPortSelectionError('no ports requested');

  const result: ScanPortsResult = {
    tcp: PortSet.EMPTY,
    udp: PortSet.EMPTY,
    excluded: { tcp: PortSet.EMPTY, udp: PortSet.EMPTY },
  };
  for (const p of PROTOS) {
    const out = exclusion(selection.excludePorts, p).union(exclusion(selection.defaultExcludedPorts, p));
    result[p] = requested[p].subtract(out);
    result.excluded[p] = requested[p].intersect(out);
  }
  if (result.tcp.isEmpty && result.udp.isEmpty) {
    const ex = PROTOS.filter((p) => !result.excluded[p].isEmpty).map(
      (p) => `${p} ${result.excluded[p].toString()}`,
    );
    throw new EmptyPortSelectionError(`every requested port is excluded (excluded: ${ex.join('; ')})`);
  }
  return result;
}

/** Number of (proto, port) probes per host. */
export function probeCount(ports: ScanPorts): number {
  return ports.tcp.size + ports.udp.size;
}
