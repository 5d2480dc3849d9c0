import { readFile } from 'node:fs/promises';

import { TargetParseError } from './errors.js';
import { parseTarget, type TargetSpec } from './spec.js';

/**
 * A target file: one token per line, `#` starts a comment (whole line or trailing), blank lines
 * ignored. Errors name `file:line` so a 10,000-line inventory is fixable.
 */
export function parseTargetFileText(text: string, file: string): TargetSpec[] {
  const specs: TargetSpec[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const source = { file, line: i + 1 };
    const hash = lines[i]!.indexOf('#');
    const content = (hash >= 0 ? lines[i]!.slice(0, hash) : lines[i]!).trim();
    if (content === '') continue;
    if (/\s/.test(content)) {
      throw new TargetParseError(content, 'one target per line (found more than one token)', source);
    }
    specs.push(parseTarget(content, source));
  }
  return specs;
}

export async function readTargetFile(path: string): Promise<TargetSpec[]> {
  return parseTargetFileText(await readFile(path, 'utf8'), path);
}
