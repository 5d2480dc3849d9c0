import type { Finding, FindingSource, InventorySources } from '@fleetqry/contracts';
import { isLiteral, parseTarget, type LiteralTargetSpec } from '@fleetqry/probe';

import { sourcePath } from '../inventory/inventory-sources.js';

interface Block {
  spec: LiteralTargetSpec;
  source: FindingSource;
}

/**
 * Points each finding at its host's inventory entry: the entry of its exact address, else of its host name,
 * else the narrowest CIDR or range that covers it (the first one written on a tie), else the top file's
 * first line. Paths are relative to `root` (default: the root recorded with the run).
 */
export function locateFindings(
  findings: readonly Finding[],
  sources: InventorySources,
  root: string | undefined = sources.root,
): Finding[] {
  const paths = sources.files.map((f) => sourcePath(f, root));
  const exact = new Map<string, FindingSource>();
  const names = new Map<string, FindingSource>();
  const blocks: Block[] = [];
  for (const [target, file, line] of sources.entries) {
    const source = { path: paths[file]!, line };
    const spec = parseOrNull(target);
    if (!spec) continue;
    if (!isLiteral(spec)) {
      if (!names.has(spec.name.toLowerCase())) names.set(spec.name.toLowerCase(), source);
    } else if (spec.kind === 'address') {
      const key = `${spec.family}/${spec.first}`;
      if (!exact.has(key)) exact.set(key, source);
    } else {
      blocks.push({ spec, source });
    }
  }
  // Narrowest first; a stable sort keeps file order among equals.
  blocks.sort((a, b) => Number(a.spec.last - a.spec.first - (b.spec.last - b.spec.first)));
  const fallback = { path: paths[0]!, line: 1 };
  const cache = new Map<string, FindingSource>();
  const locate = (f: Finding): FindingSource => {
    const cacheKey = `${f.address}\u0000${f.host}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const spec = parseOrNull(f.address);
    const address = spec && isLiteral(spec) ? spec : undefined;
    const found =
      (address && exact.get(`${address.family}/${address.first}`)) ??
      names.get(f.host.toLowerCase()) ??
      (address &&
        blocks.find(
          (b) =>
            b.spec.family === address.family && b.spec.first <= address.first && address.first <= b.spec.last,
        )?.source) ??
      fallback;
    cache.set(cacheKey, found);
    return found;
  };
  return findings.map((f) => ({ ...f, source: locate(f) }));
}

function parseOrNull(target: string) {
  try {
    return parseTarget(target);
  } catch {
    // An entry the planner refused never produced a finding; nothing to point at.
    return null;
  }
}
