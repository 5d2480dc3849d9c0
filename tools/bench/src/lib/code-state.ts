import { tryRun } from './exec.js';

/** The code a benchmark measured: HEAD, and whether tracked files differ from it. */
export interface CodeState {
  commit: string;
  /** Uncommitted changes to tracked files; the benchmarks' own results do not count. */
  dirty: boolean;
}

/** Every bench records this next to its figures (the run scripts build HEAD first). */
export function codeState(): CodeState {
  return {
    commit: tryRun('git', ['rev-parse', 'HEAD']) || 'unknown',
    dirty:
      tryRun('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!tools/bench/results']) !==
      '',
  };
}

/** `Commit <sha>` and, when the tree had changes, says so. */
export function codeStateLine(code: CodeState): string {
  return `Commit ${code.commit}${code.dirty ? ' (with uncommitted changes)' : ''}`;
}
