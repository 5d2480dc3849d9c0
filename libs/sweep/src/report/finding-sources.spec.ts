import type { InventorySources } from '@fleetqry/contracts';

import { locateFindings } from './finding-sources.js';
import { finding } from './testdata/report-fixtures.js';

const sources = (entries: InventorySources['entries'], root = '/repo'): InventorySources => ({
  root,
  files: ['/repo/infra/fleet.yaml', '/repo/infra/sites/branch.yaml'],
  entries,
});
const at = (address: string, host = address) => finding({ address, host });
const located = (s: InventorySources, ...f: ReturnType<typeof at>[]) =>
  locateFindings(f, s).map((x) => x.source);

describe('locateFindings', () => {
  it("points at the host's own address entry before a name or a block that also matches", () => {
    const s = sources([
      ['127.30.0.0/24', 0, 3],
      ['dc1.lab.example', 0, 4],
      ['127.30.0.7', 1, 9],
    ]);
    expect(located(s, at('127.30.0.7', 'dc1.lab.example'))).toEqual([
      { path: 'infra/sites/branch.yaml', line: 9 },
    ]);
  });

  it('matches a host name case-insensitively when no entry has its address', () => {
    const s = sources([
      ['127.30.0.0/24', 0, 3],
      ['DC1.Lab.Example', 0, 4],
    ]);
    expect(located(s, at('127.30.0.7', 'dc1.LAB.example'))).toEqual([{ path: 'infra/fleet.yaml', line: 4 }]);
  });

  it('picks the narrowest covering block, and the first written among equally narrow ones', () => {
    const s = sources([
      ['127.30.0.0/16', 0, 2],
      ['127.30.0.0/28', 0, 3],
      ['127.30.0.0-15', 1, 5],
      ['127.30.0.16/28', 0, 4],
    ]);
    expect(located(s, at('127.30.0.7'), at('127.30.0.20'), at('127.30.9.9'))).toEqual([
      { path: 'infra/fleet.yaml', line: 3 },
      { path: 'infra/fleet.yaml', line: 4 },
      { path: 'infra/fleet.yaml', line: 2 },
    ]);
  });

  it('keeps the first entry of an address listed twice', () => {
    const s = sources([
      ['127.30.0.7', 1, 8],
      ['127.30.0.7', 0, 6],
    ]);
    expect(located(s, at('127.30.0.7'))).toEqual([{ path: 'infra/sites/branch.yaml', line: 8 }]);
  });

  it("never puts an IPv6 host in an IPv4 block; what matches nothing points at the top file's first line", () => {
    const s = sources([['0.0.0.0/0', 1, 3]]);
    expect(located(s, at('::1', 'localhost6'))).toEqual([{ path: 'infra/fleet.yaml', line: 1 }]);
  });

  it('skips entries that do not parse as a target', () => {
    const s = sources([
      ['not a target!', 0, 2],
      ['127.30.0.0/24', 0, 3],
    ]);
    expect(located(s, at('127.30.0.7'))).toEqual([{ path: 'infra/fleet.yaml', line: 3 }]);
  });

  it('makes paths relative to the given root, else the recorded one; logical paths stay as they are', () => {
    const s = sources([['127.30.0.7', 1, 2]]);
    expect(locateFindings([at('127.30.0.7')], s, '/repo/infra')[0]!.source).toEqual({
      path: 'sites/branch.yaml',
      line: 2,
    });
    const stored: InventorySources = { files: ['inventories/lab'], entries: [['127.30.0.7', 0, 1]] };
    expect(locateFindings([at('127.30.0.7')], stored)[0]!.source).toEqual({
      path: 'inventories/lab',
      line: 1,
    });
  });

  it('keeps every other field of the finding', () => {
    const [f] = locateFindings([at('127.30.0.7')], sources([['127.30.0.7', 0, 2]]));
    expect(f).toEqual({ ...at('127.30.0.7'), source: { path: 'infra/fleet.yaml', line: 2 } });
  });
});
