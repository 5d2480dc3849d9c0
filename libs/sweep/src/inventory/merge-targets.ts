import { formatIp, type InventoryHost, type IpFamily } from '@fleetqry/contracts';
import {
  isLiteral,
  parseTarget,
  targetExclusion,
  type LiteralTargetSpec,
  type TargetRequest,
} from '@fleetqry/probe';

interface Entry {
  index: number;
  spec: LiteralTargetSpec;
  excludePorts?: string;
}

/** A target as planScan takes it: the string alone when nothing is excluded. */
function target(address: string, excludes: readonly string[]): string | TargetRequest {
  return excludes.length ? { target: address, excludePorts: excludes.join(',') } : address;
}

function rangeText(family: IpFamily, first: bigint, last: bigint): string {
  return first === last ? formatIp(family, first) : `${formatIp(family, first)}-${formatIp(family, last)}`;
}

/**
 * One cluster of overlapping entries cut where the exclusions that apply change: each address once,
 * with the exclusions of every entry that covers it. Adjacent pieces with the same exclusions stay one.
 */
function cutCluster(family: IpFamily, cluster: readonly Entry[]): (string | TargetRequest)[] {
  // Sweep over starts and ends (last + 1); between two boundaries the covering entries do not change.
  const events: Array<{ at: bigint; entry: Entry; start: boolean }> = cluster.flatMap((entry) => [
    { at: entry.spec.first, entry, start: true },
    { at: entry.spec.last + 1n, entry, start: false },
  ]);
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const active = new Map<string, number>(); // excludePorts → covering entries that ask for it
  let covering = 0;
  const pieces: Array<{ first: bigint; last: bigint; excludes: string[] }> = [];
  for (let i = 0; i < events.length; i++) {
    const { entry, start } = events[i]!;
    covering += start ? 1 : -1;
    const spec = entry.excludePorts;
    if (spec !== undefined) {
      const n = (active.get(spec) ?? 0) + (start ? 1 : -1);
      if (n) active.set(spec, n);
      else active.delete(spec);
    }
    const from = events[i]!.at;
    const to = events[i + 1]?.at;
    if (to === undefined || to === from || covering === 0) continue;
    const excludes = [...active.keys()].sort();
    const prev = pieces.at(-1);
    if (prev && prev.last + 1n === from && prev.excludes.join('\n') === excludes.join('\n'))
      prev.last = to - 1n;
    else pieces.push({ first: from, last: to - 1n, excludes });
  }
  return pieces.map((p) => target(rangeText(family, p.first, p.last), p.excludes));
}

/**
 * The targets of an inventory, each address once. Literal entries (addresses, ranges, CIDRs) that
 * overlap — a tagged host inside its block, a repeated address, overlapping blocks — are merged, so an
 * address is probed and reported once whatever lists it. An address gets the inventory's ports minus
 * the exclusions of *every* entry that covers it: `excludePorts` means "never probe these here" (a
 * fragile device's port), so an entry that excludes a port wins over one that does not. Tags, owners
 * and groups are the policy's business (every entry still counts there). An entry that overlaps no
 * other is passed as written; hostnames too (they resolve later). Merged clusters take the place of
 * their first entry.
 */
export function inventoryTargets(hosts: readonly InventoryHost[]): (string | TargetRequest)[] {
  const out: Array<{ index: number; targets: (string | TargetRequest)[] }> = [];
  const literals: Entry[] = [];
  hosts.forEach((h, index) => {
    const spec = parseTarget(h.address);
    if (h.excludePorts !== undefined) targetExclusion(spec.given, h.excludePorts); // bad spec: names this entry
    if (isLiteral(spec))
      literals.push({ index, spec, ...(h.excludePorts ? { excludePorts: h.excludePorts } : {}) });
    else out.push({ index, targets: [target(h.address, h.excludePorts ? [h.excludePorts] : [])] });
  });
  literals.sort((a, b) =>
    a.spec.family !== b.spec.family
      ? a.spec.family - b.spec.family
      : a.spec.first < b.spec.first
        ? -1
        : a.spec.first > b.spec.first
          ? 1
          : 0,
  );
  let cluster: Entry[] = [];
  const close = () => {
    if (cluster.length === 0) return;
    const index = cluster.reduce((min, e) => Math.min(min, e.index), Infinity);
    const only = cluster.length === 1 ? hosts[cluster[0]!.index]! : undefined;
    out.push({
      index,
      targets: only
        ? [target(only.address, only.excludePorts ? [only.excludePorts] : [])]
        : cutCluster(cluster[0]!.spec.family, cluster),
    });
    cluster = [];
  };
  let reach = -1n;
  for (const e of literals) {
    const last = cluster.at(-1);
    if (last && (last.spec.family !== e.spec.family || e.spec.first > reach)) close();
    if (cluster.length === 0 || e.spec.last > reach) reach = e.spec.last;
    cluster.push(e);
  }
  close();
  return out.sort((a, b) => a.index - b.index).flatMap((o) => o.targets);
}
