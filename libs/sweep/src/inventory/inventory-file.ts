import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { InventorySchema, type Inventory, type InventoryHost } from '@fleetqry/contracts';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';

/** Bad inventory input; the message names the file and the field. Nothing has been probed. */
export class InventoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InventoryError';
  }
}

/** Where an inventory entry is written: a file (absolute path, or `inventories/<name>`) and its line. */
export interface EntryOrigin {
  file: string;
  line: number;
}

export interface LoadedInventory {
  /** The top file's inventory, with imported targets and tags merged in. */
  inventory: Inventory;
  /** Every target as a host record (plain strings become hosts without tags). */
  hosts: InventoryHost[];
  /** Where each of `hosts` is written (same order): reports point findings at it. */
  origins: EntryOrigin[];
  /** Absolute path of the top file: the sweep's identity for run-to-run deltas. */
  source: string;
  name: string;
}

const MAX_IMPORT_DEPTH = 8;

/** Parses and validates one inventory document; errors name `source: path.to.field`. */
export function parseInventory(text: string, source: string): Inventory {
  return parseInventoryLines(text, source).inventory;
}

/** parseInventory, plus the 1-based line of each `targets` entry (YAML or JSON text). */
function parseInventoryLines(text: string, source: string): { inventory: Inventory; lines: number[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new InventoryError(`${source}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  const parsed = InventorySchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new InventoryError(`${source}: ${issues.join('; ')}`);
  }
  const targets = isMap(doc.contents) ? doc.contents.get('targets', true) : undefined;
  const items = isSeq(targets) ? targets.items : [];
  const lines = parsed.data.targets.map((_, i) => {
    const offset = (items[i] as { range?: [number, number, number] } | undefined)?.range?.[0];
    return offset === undefined ? 1 : lineCounter.linePos(offset).line;
  });
  return { inventory: parsed.data, lines };
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
  return { inventory, hosts, origins: top.origins, source, name: inventory.name ?? source };
}

async function readOne(
  file: string,
  chain: readonly string[],
  depth: number,
): Promise<{
  inventory: Inventory;
  hosts: InventoryHost[];
  origins: EntryOrigin[];
  tags: Record<string, string[]>;
}> {
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
  const { inventory, lines } = parseInventoryLines(text, file);
  const hosts = inventory.targets.map(asHost);
  const origins = lines.map((line) => ({ file, line }));
  const tags: Record<string, string[]> = { ...inventory.tags };
  for (const imp of inventory.imports ?? []) {
    const child = await readOne(resolve(dirname(file), imp), [...chain, file], depth + 1);
    hosts.push(...child.hosts);
    origins.push(...child.origins);
    for (const [block, list] of Object.entries(child.tags))
      tags[block] = [...new Set([...(tags[block] ?? []), ...list])];
  }
  if (hosts.length === 0 && depth === 0) throw new InventoryError(`${file}: targets: no target given`);
  return { inventory, hosts, origins, tags };
}
