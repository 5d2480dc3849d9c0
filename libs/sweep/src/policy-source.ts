import { readFile } from 'node:fs/promises';

import { builtinPolicy, parsePolicyYaml, parseWaiversYaml, type Policy, type Waiver } from '@fleetqry/policy';

import { InventoryError } from './inventory/inventory-file.js';

/** `--policy baseline` or a policy file. Errors name the file and field (PolicyError from the lib). */
export async function loadPolicy(nameOrPath: string): Promise<Policy> {
  const builtin = builtinPolicy(nameOrPath);
  if (builtin) return builtin;
  return parsePolicyYaml(await readText('policy', nameOrPath), nameOrPath);
}

/** `--waivers FILE`: a `waivers: [...]` document. */
export async function loadWaivers(path: string): Promise<Waiver[]> {
  return parseWaiversYaml(await readText('waivers', path), path);
}

async function readText(what: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new InventoryError(
      code === 'ENOENT' && what === 'policy'
        ? `policy "${path}": neither a built-in policy (baseline) nor a readable file`
        : `${what} ${path}: cannot read it (${code})`,
    );
  }
}
