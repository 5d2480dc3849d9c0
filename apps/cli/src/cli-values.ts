import { readFileSync } from 'node:fs';

import { UsageError } from './usage-error.js';

/** Option value parsers for commander: each error names the option. */
export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${name}: "${value}" is not a whole number`);
    const n = Number(value);
    if (n < min || n > max) throw new UsageError(`${name}: ${n} is outside ${min}..${max}`);
    return n;
  };
}

export function listOption(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(/[\s,]+/).filter(Boolean)];
}

/** `--groups "Domains and Trusts,web"`: names may hold spaces, so only commas separate them. */
export function groupListOption(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean),
  ];
}

export function repeatOption(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A parser that accepts one of `choices` (any case); `choices` is kept on it so --help can list them. */
export function choiceOption<T extends string>(
  name: string,
  choices: readonly T[],
): ((value: string) => T) & { choices: readonly T[] } {
  const parse = (value: string): T => {
    const v = value.toLowerCase() as T;
    if (!choices.includes(v)) throw new UsageError(`${name}: "${value}" is not one of ${choices.join(', ')}`);
    return v;
  };
  return Object.assign(parse, { choices });
}

/**
 * Communities from a file, one per line. Lines are taken verbatim (no trimming inside): a community
 * may contain spaces; blank lines and lines starting with # are skipped.
 */
export function readCommunityFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--communities-file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code})`);
  }
  const communities = text.split(/\r?\n/).filter((line) => line.length > 0 && !line.startsWith('#'));
  if (communities.length === 0) throw new UsageError(`--communities-file ${path}: no community in it`);
  return communities;
}

/** `--communities a,b`: an empty entry is an error (it would be an empty community), never skipped. */
export function communityListOption(value: string, previous: string[] = []): string[] {
  const list = value.split(',');
  const empty = list.findIndex((c) => c.length === 0);
  if (empty >= 0) throw new UsageError(`--communities: community #${previous.length + empty + 1} is empty`);
  return [...previous, ...list];
}
