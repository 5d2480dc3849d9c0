import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { InventorySchema, type Inventory, type InventoryHost } from '@fleetqry/contracts';
import { parse as parseYaml } from 'yaml';

/** Bad inventory input; the message names the file and the field. Nothing has been probed. */
export class InventoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InventoryError';
  }
}

export interface LoadedInventory {
  /** The top file's inventory, with imported targets and tags merged in. */
  inventory: Inventory;
  /** Every target as a host record (plain strings become hosts without tags). */
  hosts: InventoryHost[];
  /** Absolute path of the top file: the sweep's identity for run-to-run deltas. */
  source: string;
  name: string;
}

const MAX_IMPORT_DEPTH = 8;

/** Parses and validates one inventory document; errors name `source: path.to.field`. */
export function parseInventory(text: string, source: string): Inventory {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true }) ?? {};
  } catch (e) {
    throw new InventoryError(
      `${source}: not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
  }
  const parsed = InventorySchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new InventoryError(`${source}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${String(p)}` : String(p)),
      '',
    ) || '(top level)'
  );
}

function asHost(target: Inventory['targets'][number]): InventoryHost {
  return typeof target === 'string' ? { address: target, tags: [] } : target;
}

/** Reads an inventory file and its imports (relative to the importing file; cycles are errors). */
export async function loadInventoryFile(path: string): Promise<LoadedInventory> {
  const source = resolve(path);
  const top = await readOne(source, [], 0);
  const hosts = top.hosts;
  const inventory: Inventory = { ...top.inventory, targets: hosts, tags: top.tags };
  return { inventory, hosts, source, name: inventory.name ?? source };
}

async function readOne(
  file: string,
  chain: readonly string[],
  depth: number,
): Promise<{ inventory: Inventory; hosts: InventoryHost[]; tags: Record<string, string[]> }> {
  if (chain.includes(file))
    throw new InventoryError(`${file}: import cycle (${[...chain, file].join(' → ')})`);
  if (depth > MAX_IMPORT_DEPTH)
    throw new InventoryError(`${file}: imports nested deeper than ${MAX_IMPORT_DEPTH}`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InventoryError(
      `inventory ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  const inventory = parseInventory(text, file);
  const hosts = inventory.targets.map(asHost);
  const tags: Record<string, string[]> = { ...inventory.tags };
  for (const imp of inventory.imports ?? []) {
    const child = await readOne(resolve(dirname(file), imp), [...chain, file], depth + 1);
    hosts.push(...child.hosts);
    for (const [block, list] of Object.entries(child.tags))
      tags[block] = [...new Set([...(tags[block] ?? []), ...list])];
  }
  if (hosts.length === 0 && depth === 0) throw new InventoryError(`${file}: targets: no target given`);
  return { inventory, hosts, tags };
}
