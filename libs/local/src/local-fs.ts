import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The three file operations the reader needs, synchronous: /proc reads never wait on a disk, and one
 * snapshot is many tiny reads. Tests substitute an implementation that fails chosen paths (EACCES),
 * since tests may run as root, where permission bits do not stop a read.
 */
export interface LocalFs {
  readFile(path: string): string;
  readdir(path: string): string[];
  readlink(path: string): string;
}

export const nodeFs: LocalFs = {
  readFile: (p) => readFileSync(p, 'utf8'),
  readdir: (p) => readdirSync(p),
  readlink: (p) => readlinkSync(p),
};

/** The errno code of a failed read (`EACCES`, `ENOENT`, …), or `error` when there is none. */
export function errorCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; code: string };

export function attempt<T>(read: () => T): ReadResult<T> {
  try {
    return { ok: true, value: read() };
  } catch (e) {
    return { ok: false, code: errorCode(e) };
  }
}
