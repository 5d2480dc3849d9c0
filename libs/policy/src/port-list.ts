/**
 * Port lists in policies: numbers and ranges only (`"23,512-514"`, or a YAML number). Service names
 * are deliberately not accepted here: the name table lives in the probe lib, and a policy should mean
 * the same thing whichever version of that table evaluates it. Use service groups for named sets.
 */
export type PortRange = readonly [first: number, last: number];

/** Something that can say whether it contains a port (the probe lib's `PortSet` fits). */
export interface PortMembership {
  has(port: number): boolean;
}

class PortListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortListError';
  }
}

const ITEM = /^(\d{1,5})(?:-(\d{1,5}))?$/;

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
      if (p < 1 || p > 65535) throw new PortListError(`invalid port "${item}": ports are 1-65535`);
    }
    if (last < first) throw new PortListError(`invalid port "${item}": range ends before its start`);
    return [first, last] as const;
  });
}

export class PortRanges implements PortMembership {
  constructor(readonly ranges: readonly PortRange[]) {}

  static parse(text: string): PortRanges {
    return new PortRanges(parsePortList(text));
  }

  has(port: number): boolean {
    return this.ranges.some(([a, b]) => port >= a && port <= b);
  }

  toString(): string {
    return this.ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(',');
  }
}
