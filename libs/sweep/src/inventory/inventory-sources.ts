import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

import type { InventorySources } from '@fleetqry/contracts';

import type { EntryOrigin, LoadedInventory } from './inventory-file.js';

/**
 * The directory report paths are relative to when the caller names none: the git work tree holding the
 * inventory (what GitHub code scanning resolves SARIF paths against), else the working directory if the
 * inventory is inside it, else the inventory's own directory (a path never climbs out of its root).
 */
export function findSourceRoot(inventoryFile: string, cwd = process.cwd()): string {
  for (let dir = dirname(inventoryFile); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) break;
  }
  const fromCwd = relative(cwd, inventoryFile);
  return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? dirname(inventoryFile) : cwd;
}

/** `file` as a report path: relative to `root` with forward slashes; logical paths stay as they are. */
export function sourcePath(file: string, root: string | undefined): string {
  if (!isAbsolute(file) || root === undefined) return file;
  return relative(root, file).split(sep).join('/');
}

/**
 * A stored inventory has no file: its entries point at `inventories/<name>`, line N being its N-th target
 * (for a CSV import, the N-th data row). A repository that keeps the inventory at that path gets exact
 * anchors.
 */
export function storedInventoryOrigins(
  name: string,
  documentTargets: readonly { address: string }[],
  hosts: readonly { address: string }[],
): EntryOrigin[] {
  const file = storedInventoryPath(name);
  const lines = new Map<string, number>();
  documentTargets.forEach((t, i) => {
    if (!lines.has(t.address)) lines.set(t.address, i + 1);
  });
  return hosts.map((h) => ({ file, line: lines.get(h.address) ?? 1 }));
}

export function storedInventoryPath(name: string): string {
  return `inventories/${name}`;
}

/**
 * Where each entry of a loaded inventory is written, for the run's plan (see InventorySourcesSchema).
 * `top` (the top file, or a stored inventory's logical path) comes first: findings whose host has no entry
 * of its own point at it.
 */
export function inventorySources(
  loaded: LoadedInventory,
  opts: { top: string; root?: string },
): InventorySources {
  const files = [opts.top];
  const index = new Map([[opts.top, 0]]);
  const entries = loaded.hosts.map((host, i): [string, number, number] => {
    const origin = loaded.origins[i]!;
    let file = index.get(origin.file);
    if (file === undefined) {
      file = files.push(origin.file) - 1;
      index.set(origin.file, file);
    }
    return [host.address, file, origin.line];
  });
  return { ...(opts.root !== undefined ? { root: opts.root } : {}), files, entries };
}
