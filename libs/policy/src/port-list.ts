import { MAX_PORT, type PortRange, PortSet } from '@fleetqry/contracts';

/**
 * Port lists in policies: numbers and ranges only (`"23,512-514"`, or a YAML number), over the shared
 * `PortSet` of `@fleetqry/contracts`. Service names are deliberately not accepted here: the name table lives
 * in the probe lib, and a policy should mean the same thing whichever version of that table evaluates it.
 * Use service groups for named sets.
 */
class PortListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortListError';
  }
}

const ITEM = /^(\d{1,5})(?:-(\d{1,5}))?$/;

/** The list's ranges in the order written; the error names the offending item. */
export function parsePortList(text: string): PortRange[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new PortListError('empty port list');
  return trimmed.split(',').map((raw) => {
    const item = raw.trim();
    const m = ITEM.exec(item);
    if (!m) throw new PortListError(`invalid port "${item}": use numbers and ranges such as 23 or 512-514`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (const p of [first, last]) {
      if (p < 1 || p > MAX_PORT) throw new PortListError(`invalid port "${item}": ports are 1-${MAX_PORT}`);
    }
    if (last < first) throw new PortListError(`invalid port "${item}": range ends before its start`);
    return [first, last] as const;
  });
}

export function parsePortSet(text: string): PortSet {
  return PortSet.fromRanges(parsePortList(text));
}
