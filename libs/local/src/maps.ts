import type { LoadedModule } from '@fleetqry/contracts';

/**
 * Loaded modules from /proc/PID/maps: every file with an executable mapping (the program and its
 * shared objects), once, at the lowest address any of its mappings starts. Data-only files (locale
 * archives, fonts) are left out. Malformed lines are skipped.
 */
export function parseMaps(text: string): LoadedModule[] {
  const base = new Map<string, bigint>();
  const executable = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-[0-9a-f]+\s+([rwxsp-]{4})\s+[0-9a-f]+\s+\S+\s+\d+\s+(\/.*)$/.exec(line.trim());
    if (!m) continue;
    const path = m[3]!.replace(/ \(deleted\)$/, '');
    const start = BigInt(`0x${m[1]}`);
    const prev = base.get(path);
    if (prev === undefined || start < prev) base.set(path, start);
    if (m[2]!.includes('x')) executable.add(path);
  }
  return [...base]
    .filter(([path]) => executable.has(path))
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([path, start]) => ({ path, base: `0x${start.toString(16)}` }));
}
