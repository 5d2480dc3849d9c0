import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The code a benchmark measured: HEAD, and whether tracked files differ from it. */
export interface CodeState {
  commit: string;
  /** Uncommitted changes to tracked files; the benchmarks' own results do not count. */
  dirty: boolean;
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** Every bench records this next to its figures (the run scripts build HEAD first). */
export function codeState(): CodeState {
  return {
    commit: git('rev-parse', 'HEAD') || 'unknown',
    dirty: git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!tools/bench/results') !== '',
  };
}

/** `Commit <sha>` and, when the tree had changes, says so. */
export function codeStateLine(code: CodeState): string {
  return `Commit ${code.commit}${code.dirty ? ' (with uncommitted changes)' : ''}`;
}
